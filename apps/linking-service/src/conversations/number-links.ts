import { advisoryLocks, type MigrationInterface, type QueryRunner, type Read, type Transaction } from '@kite/persistence';

/**
 * L6's view of each number (`number_links`): the service it was last linked to and the position of
 * the last change to it that the detaching applied, written with linking's configuration in one
 * transaction (`LinkingConfigurationProcessor`). A decider that gives a conversation a number
 * reads its position and waits while its copy of the configuration is older (`detachingAgrees`). The detaching takes the locks of its batch's numbers
 * exclusively, in one statement, before it changes them, records the change (`number_detachings`)
 * and looks for the conversations to detach. The decider commits later, with a shared lock on the
 * number (`lockedDetachings`): a decision committed before the detaching looks is found and
 * detached by it; one committed after it finds the change recorded and detaches its conversation
 * itself. Every transaction takes its number locks in one statement: no two wait on each other in
 * a cycle.
 */
const NUMBER_LOCKS = 'linking-numbers';

export interface NumberRef {
  tenant: string;
  number: string;
}

const keyOf = ({ tenant, number }: NumberRef): string => `${tenant} ${number}`;
const uniqueNumbers = (numbers: readonly NumberRef[]): NumberRef[] => [...new Map(numbers.map((n) => [keyOf(n), n])).values()];

/** The position of each number's last change the detaching applied. */
export function numberPositions(numbers: readonly NumberRef[]): Read<(ref: NumberRef) => number | undefined> {
  const unique = uniqueNumbers(numbers);
  return {
    // The tenants' and the numbers' rows, matched in decode: a join with unnest costs PostgreSQL several times the planning.
    statement: { sql: `SELECT tenant, number, seq FROM number_links WHERE tenant = ANY($1::text[]) AND number = ANY($2::text[])`, params: [unique.map((n) => n.tenant), unique.map((n) => n.number)] },
    decode: (rows) => {
      const found = new Map((rows as { tenant: string; number: string; seq: string }[]).map((r) => [keyOf(r), Number(r.seq)]));
      return (ref) => found.get(keyOf(ref));
    },
  };
}

/** Locks the numbers for their detaching (exclusive, in one statement): no decision about them commits meanwhile. */
export async function lockNumbersForDetaching(tx: Transaction, numbers: readonly NumberRef[]): Promise<void> {
  if (numbers.length) await tx.queryAll([advisoryLocks(NUMBER_LOCKS, numbers.map(keyOf))]);
}

/**
 * L6's detaching changes, kept so that a decision made before one and committed after it (a
 * processor that holds its state commits later, `ContactsProcessor`) detaches its conversation
 * itself: the detaching looked for the conversations before that one was there to be found.
 */
export class NumberDetachings1733900000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE number_detachings (
      tenant text NOT NULL, number text NOT NULL, seq bigint NOT NULL, from_service_id text NOT NULL, to_service_id text NOT NULL,
      change_id text NOT NULL, correlation_id text, PRIMARY KEY (tenant, number, seq))`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE number_detachings`);
  }
}

/** A change of the number's linked service that detached the conversations of `from` (at `seq` in the configuration stream). */
export interface NumberDetaching extends NumberRef {
  seq: number;
  from: string;
  to: string;
  /** The configuration event that made the change: the cause of each `ConversationDetached`. */
  cause: { id: string; correlationId?: string | undefined };
}

/** Records a detaching change, in the transaction that applies it. */
export async function recordDetaching(tx: Transaction, d: NumberDetaching): Promise<void> {
  await tx.query(
    `INSERT INTO number_detachings (tenant, number, seq, from_service_id, to_service_id, change_id, correlation_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [d.tenant, d.number, d.seq, d.from, d.to, d.cause.id, d.cause.correlationId ?? null],
  );
}

/** The detaching changes of the numbers after `after` (the oldest position a caller cares about), read with the numbers locked (shared) until the transaction ends. */
export async function lockedDetachings(tx: Transaction, numbers: readonly NumberRef[], after: number): Promise<NumberDetaching[]> {
  const unique = uniqueNumbers(numbers);
  const [, rows] = await tx.queryAll([
    advisoryLocks(NUMBER_LOCKS, unique.map(keyOf), 'shared'),
    {
      sql: `SELECT tenant, number, seq, from_service_id, to_service_id, change_id, correlation_id FROM number_detachings WHERE tenant = ANY($1::text[]) AND number = ANY($2::text[]) AND seq > $3`,
      params: [unique.map((n) => n.tenant), unique.map((n) => n.number), after],
    },
  ]);
  return (rows as { tenant: string; number: string; seq: string; from_service_id: string; to_service_id: string; change_id: string; correlation_id: string | null }[]).map((r) => ({
    tenant: r.tenant,
    number: r.number,
    seq: Number(r.seq),
    from: r.from_service_id,
    to: r.to_service_id,
    cause: { id: r.change_id, correlationId: r.correlation_id ?? undefined },
  }));
}
