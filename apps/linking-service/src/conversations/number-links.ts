import { advisoryLocks, type Statement, type Transaction } from '@kite/persistence';

/**
 * L6's view of each number (`number_links`): the service it was last linked to and the position of
 * the last change to it that the detaching applied, written with linking's configuration in one
 * transaction (`LinkingConfigurationProcessor`). A decider that gives a conversation a number
 * takes a shared lock on the number and then reads its position; the detaching takes the locks of
 * its batch's numbers exclusively, in one statement, before it changes them and looks for the
 * conversations to detach. So a decision either commits before the detaching looks (and is found
 * and detached) or reads the newer position (and waits for its copy of the configuration to have
 * the change, `detachingAgrees`). Every transaction takes its number locks in one statement, before
 * any conversation lock: no two wait on each other in a cycle.
 */
const NUMBER_LOCKS = 'linking-numbers';

export interface NumberRef {
  tenant: string;
  number: string;
}

const keyOf = ({ tenant, number }: NumberRef): string => `${tenant} ${number}`;

/** The position of each number's last change the detaching applied, read with the numbers locked (shared): statements for one round trip. */
export function lockedNumberLinks(numbers: readonly NumberRef[]): { statements: Statement[]; decode(rows: unknown[][]): (ref: NumberRef) => number | undefined } {
  const unique = [...new Map(numbers.map((n) => [keyOf(n), n])).values()];
  return {
    statements: [
      advisoryLocks(NUMBER_LOCKS, unique.map(keyOf), 'shared'),
      // The tenants' and the numbers' rows, matched in decode: a join with unnest costs PostgreSQL several times the planning.
      { sql: `SELECT tenant, number, seq FROM number_links WHERE tenant = ANY($1::text[]) AND number = ANY($2::text[])`, params: [unique.map((n) => n.tenant), unique.map((n) => n.number)] },
    ],
    decode: (rows) => {
      const found = new Map((rows.at(-1) as { tenant: string; number: string; seq: string }[]).map((r) => [keyOf(r), Number(r.seq)]));
      return (ref) => found.get(keyOf(ref));
    },
  };
}

/** As `lockedNumberLinks`, in one round trip of the transaction. */
export async function readLockedNumberLinks(tx: Transaction, numbers: readonly NumberRef[]): Promise<(ref: NumberRef) => number | undefined> {
  if (numbers.length === 0) return () => undefined;
  const locked = lockedNumberLinks(numbers);
  return locked.decode(await tx.queryAll(locked.statements));
}

/** Locks the numbers for their detaching (exclusive, in one statement): no decision about them commits meanwhile. */
export async function lockNumbersForDetaching(tx: Transaction, numbers: readonly NumberRef[]): Promise<void> {
  if (numbers.length) await tx.queryAll([advisoryLocks(NUMBER_LOCKS, numbers.map(keyOf))]);
}
