import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { write, type Statement, type Transaction, type Writes } from './transaction.js';

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
 * Locks the aggregates' position rows for this transaction, in one order (so two transactions
 * never wait on each other in a cycle), and returns where each stands (0 when new) and the
 * stream's replay mark, in one round trip. The upsert whose update never applies (`WHERE false`)
 * inserts the new rows and locks the others without writing a new version of them; the select
 * after it, a statement of its own, reads them as they are once locked. Statements `alongside`
 * (the state the projection will change) run after it in the same round trip, the locks held.
 */
export async function lockPositions(
  tx: Transaction,
  projection: string,
  stream: string,
  aggregates: readonly string[],
  alongside: readonly Statement[] = [],
): Promise<{ positions: Map<string, number>; replayMark: number; alongside: unknown[][] }> {
  const sorted = [...new Set(aggregates)].sort();
  const [, rows, ...alongsideRows] = (await tx.queryAll([
    {
      sql: `INSERT INTO positions (projection, aggregate, seq) SELECT $1, a, 0 FROM unnest($2::text[]) WITH ORDINALITY AS x(a, i) ORDER BY i
            ON CONFLICT (projection, aggregate) DO UPDATE SET seq = positions.seq WHERE false`,
      params: [projection, sorted],
    },
    {
      sql: `SELECT aggregate, seq, (SELECT coalesce(max(until_seq), 0) FROM replay_marks WHERE stream = $3) AS mark FROM positions WHERE projection = $1 AND aggregate = ANY($2::text[])`,
      params: [projection, sorted, stream],
    },
    ...alongside,
  ])) as [unknown, { aggregate: string; seq: string; mark: string }[], ...unknown[][]];
  return { positions: new Map(rows.map((r) => [r.aggregate, Number(r.seq)])), replayMark: Number(rows[0]?.mark ?? 0), alongside: alongsideRows };
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
