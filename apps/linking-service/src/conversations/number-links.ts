import { advisoryLocks, type Statement, type Transaction } from '@kite/persistence';

/**
 * L6's view of each number: the service its detaching has it linked to (`number_links`, written by
 * the detach processor). Deciders that give a conversation a number read it under a shared lock on
 * the number, and the detaching takes that lock exclusively while it changes the number's service
 * and finds the conversations to detach: a decision either commits before the detaching looks (and
 * is detached with the others) or sees the change (and waits for the configuration to agree).
 */
const NUMBER_LOCKS = 'linking-numbers';

const keyOf = (tenant: string, number: string): string => `${tenant} ${number}`;

/** The detaching's linked service of each number (`tenant number`), read with the numbers locked (shared): statements for one round trip. */
export function lockedDetaching(numbers: readonly { tenant: string; number: string }[]): { statements: Statement[]; decode(rows: unknown[][]): (tenant: string, number: string) => string | undefined } {
  const unique = [...new Map(numbers.map((n) => [keyOf(n.tenant, n.number), n])).values()];
  return {
    statements: [
      advisoryLocks(NUMBER_LOCKS, unique.map((n) => keyOf(n.tenant, n.number)), 'shared'),
      {
        sql: `SELECT tenant, number, linked_service_id FROM number_links WHERE (tenant, number) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND linked_service_id IS NOT NULL`,
        params: [unique.map((n) => n.tenant), unique.map((n) => n.number)],
      },
    ],
    decode: (rows) => {
      const found = new Map((rows.at(-1) as { tenant: string; number: string; linked_service_id: string }[]).map((r) => [keyOf(r.tenant, r.number), r.linked_service_id]));
      return (tenant, number) => found.get(keyOf(tenant, number));
    },
  };
}

/** The detaching's linked service of each number, read with the numbers locked (shared), in one round trip. */
export async function detachingOf(tx: Transaction, numbers: readonly { tenant: string; number: string }[]): Promise<(tenant: string, number: string) => string | undefined> {
  const locked = lockedDetaching(numbers);
  return locked.decode(await tx.queryAll(locked.statements));
}

/** Locks the number for its detaching (exclusive): no decision about it commits meanwhile. */
export async function lockNumberForDetaching(tx: Transaction, tenant: string, number: string): Promise<void> {
  await tx.queryAll([advisoryLocks(NUMBER_LOCKS, [keyOf(tenant, number)])]);
}
