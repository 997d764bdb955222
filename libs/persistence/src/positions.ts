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
 * Takes the projection's locks on the aggregates for this transaction and reads the stream's replay
 * mark, in one round trip. The locks are advisory, the projection their space (`advisoryLocks`):
 * they write nothing, where locking the rows wrote each locked row's header and first inserted
 * every new row (12–18 % of a projection's statement time in a replay). Statements `alongside`
 * (the positions, the state the projection will change) run after them in the same round trip,
 * each a statement of its own, so each reads what the previous holder of the locks committed.
 */
export async function lockAggregates(
  tx: Transaction,
  projection: string,
  stream: string,
  aggregates: readonly string[],
  alongside: readonly Statement[],
): Promise<{ replayMark: number; alongside: unknown[][] }> {
  const [, marks, ...alongsideRows] = (await tx.queryAll([
    advisoryLocks(projection, [...new Set(aggregates)]),
    { sql: `SELECT coalesce(max(until_seq), 0) AS mark FROM replay_marks WHERE stream = $1`, params: [stream] },
    ...alongside,
  ])) as [unknown, { mark: string }[], ...unknown[][]];
  return { replayMark: Number(marks[0]?.mark ?? 0), alongside: alongsideRows };
}

/**
 * As `lockAggregates`, and where the projection stands in each aggregate, from the `positions`
 * table (0 when new), read after the locks as well.
 */
export async function lockPositions(
  tx: Transaction,
  projection: string,
  stream: string,
  aggregates: readonly string[],
  alongside: readonly Statement[] = [],
): Promise<{ positions: Map<string, number>; replayMark: number; alongside: unknown[][] }> {
  const keys = [...new Set(aggregates)];
  const read = { sql: `SELECT aggregate, seq FROM positions WHERE projection = $1 AND aggregate = ANY($2::text[])`, params: [projection, keys] };
  const { replayMark, alongside: [rows, ...alongsideRows] } = await lockAggregates(tx, projection, stream, keys, [read, ...alongside]);
  const positions = new Map(keys.map((k) => [k, 0]));
  for (const r of rows as { aggregate: string; seq: string }[]) positions.set(r.aggregate, Number(r.seq));
  return { positions, replayMark, alongside: alongsideRows };
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
