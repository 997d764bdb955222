import type { Statement } from './transaction.js';

/**
 * The statement that takes this transaction's advisory locks on `keys` within `space`, in one
 * ascending order, so two transactions locking overlapping sets never wait on each other in a
 * cycle. Advisory locks write nothing and last until the transaction ends; the space keeps one use
 * (a projection's positions, linking's deciders) apart from the others in the database. Two keys
 * whose hashes collide only wait on each other. Each lock takes a slot in PostgreSQL's lock table
 * (`max_locks_per_transaction`, deploy/README). Shared locks wait only for an exclusive one.
 */
export function advisoryLocks(space: string, keys: readonly string[], mode: 'exclusive' | 'shared' = 'exclusive'): Statement {
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  // One key, the usual case under light load: without the subquery, PostgreSQL plans it in a fraction of the time.
  if (keys.length === 1) return { sql: `SELECT ${lock}(hashtext($1), hashtext($2))`, params: [space, keys[0]] };
  return {
    sql: `SELECT count(${lock}(hashtext($1), h)) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY 1) AS keys`,
    params: [space, keys],
  };
}

/** The statement that takes the lock on one key of `space` if no one holds it, without waiting: one row, `locked`. */
export function tryAdvisoryLock(space: string, key: string): Statement {
  return { sql: `SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) AS locked`, params: [space, key] };
}
