import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { advisoryLocks, tryAdvisoryLock } from './advisory-locks.js';
import { write, type Queryable, type Statement, type Transaction, type Writes } from './transaction.js';

/**
 * Where a projection stands in each aggregate's log (the sequence of the last entry applied),
 * kept in the same transaction as the rows the entry changed; and, per stream, up to where a
 * rebuilt read model only replays. The first migration of every service schema.
 */
export class Positions1732399999000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE positions (projection text NOT NULL, aggregate text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (projection, aggregate))`);
    await q.query(`CREATE TABLE replay_marks (stream text PRIMARY KEY, until_seq bigint NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replay_marks, positions`);
  }
}

/**
 * Locks the aggregates' positions for this transaction and returns where each stands (0 when new)
 * and the stream's replay mark, in one round trip. The locks are advisory, the projection their
 * space (`advisoryLocks`): they write nothing, where locking the rows wrote each locked row's
 * header and first inserted every new row (12–18 % of a projection's statement time in a
 * replay). The select after them, a statement of its own, reads the positions as the previous
 * holder committed them. Statements `alongside` (the state the projection will change) run after
 * it in the same round trip, the locks held.
 */
export async function lockPositions(
  tx: Transaction,
  projection: string,
  stream: string,
  aggregates: readonly string[],
  alongside: readonly Statement[] = [],
): Promise<{ positions: Map<string, number>; replayMark: number; alongside: unknown[][] }> {
  const keys = [...new Set(aggregates)];
  const [, rows, ...alongsideRows] = (await tx.queryAll([
    advisoryLocks(projection, keys),
    {
      // One row at least, for the mark; new aggregates have no row until their position is saved.
      sql: `SELECT m.mark, p.aggregate, p.seq FROM (SELECT coalesce(max(until_seq), 0) AS mark FROM replay_marks WHERE stream = $3) AS m
            LEFT JOIN positions p ON p.projection = $1 AND p.aggregate = ANY($2::text[])`,
      params: [projection, keys, stream],
    },
    ...alongside,
  ])) as [unknown, { mark: string; aggregate: string | null; seq: string | null }[], ...unknown[][]];
  const positions = new Map(keys.map((k) => [k, 0]));
  for (const r of rows) if (r.aggregate !== null) positions.set(r.aggregate, Number(r.seq));
  return { positions, replayMark: Number(rows[0]?.mark ?? 0), alongside: alongsideRows };
}

/**
 * As `lockPositions`, for a projection that keeps its positions in its own state rows (read
 * `alongside`): the locks and the replay mark, in one round trip.
 */
export async function lockOwnPositions(
  tx: Transaction,
  projection: string,
  stream: string,
  aggregates: readonly string[],
  alongside: readonly Statement[],
): Promise<{ replayMark: number; alongside: unknown[][] }> {
  const [, rows, ...alongsideRows] = (await tx.queryAll([
    advisoryLocks(projection, [...new Set(aggregates)]),
    { sql: `SELECT coalesce(max(until_seq), 0) AS mark FROM replay_marks WHERE stream = $1`, params: [stream] },
    ...alongside,
  ])) as [unknown, { mark: string }[], ...unknown[][]];
  return { replayMark: Number(rows[0]?.mark ?? 0), alongside: alongsideRows };
}

/**
 * Takes the projection's lock on one aggregate if no one holds it, without waiting: false when
 * another transaction holds it (the projection is applying entries there). For work beside a
 * projection that must see its state settled and keep it so until commit, such as firing a timer
 * from it. Read the state in a statement after this one: its snapshot sees what the last holder
 * committed.
 */
export async function tryLockPosition(db: Queryable, projection: string, aggregate: string): Promise<boolean> {
  const attempt = tryAdvisoryLock(projection, aggregate);
  const [lock] = (await db.query(attempt.sql, attempt.params)) as { locked: boolean }[];
  return lock?.locked === true;
}

export async function savePositions(tx: Writes, projection: string, positions: readonly { aggregate: string; seq: number }[]): Promise<void> {
  const aggregates = positions.map((p) => p.aggregate);
  const seqs = positions.map((p) => p.seq);
  // An upsert finds each row by the primary key (its arbiter index), whatever the table's size: a
  // join of the table to the unnest, as a prepared statement, keeps the plan chosen when the table
  // was small (a scan of every position, or a nested loop over every key).
  await write(
    tx,
    `INSERT INTO positions (projection, aggregate, seq) SELECT $1, a, s FROM unnest($2::text[], $3::bigint[]) AS x(a, s)
     ON CONFLICT (projection, aggregate) DO UPDATE SET seq = EXCLUDED.seq`,
    [projection, aggregates, seqs],
  );
}

/**
 * A rebuilt projection replays entries it once decided on; up to this mark (read with the
 * positions) it only projects, so a replay never repeats a decision.
 */
export async function setReplayMark(tx: EntityManager, stream: string, untilSeq: number): Promise<void> {
  await tx.query(`INSERT INTO replay_marks (stream, until_seq) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET until_seq = EXCLUDED.until_seq`, [stream, untilSeq]);
}
