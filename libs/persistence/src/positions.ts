import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

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
 * never wait on each other in a cycle), and returns where each stands (0 when new).
 */
export async function lockPositions(tx: EntityManager, projection: string, aggregates: readonly string[]): Promise<Map<string, number>> {
  const sorted = [...new Set(aggregates)].sort();
  await tx.query(`INSERT INTO positions (projection, aggregate, seq) SELECT $1, a, 0 FROM unnest($2::text[]) WITH ORDINALITY AS x(a, i) ORDER BY i ON CONFLICT DO NOTHING`, [projection, sorted]);
  const rows = (await tx.query(`SELECT aggregate, seq FROM positions WHERE projection = $1 AND aggregate = ANY($2::text[]) ORDER BY aggregate COLLATE "C" FOR UPDATE`, [projection, sorted])) as { aggregate: string; seq: string }[];
  return new Map(rows.map((r) => [r.aggregate, Number(r.seq)]));
}

export async function savePositions(tx: EntityManager, projection: string, positions: readonly { aggregate: string; seq: number }[]): Promise<void> {
  await tx.query(`UPDATE positions p SET seq = x.s FROM unnest($2::text[], $3::bigint[]) AS x(a, s) WHERE p.projection = $1 AND p.aggregate = x.a`, [
    projection,
    positions.map((p) => p.aggregate),
    positions.map((p) => p.seq),
  ]);
}

/**
 * A rebuilt projection replays entries it once decided on; up to this mark it only projects, so a
 * replay never repeats a decision.
 */
export async function replayMark(tx: EntityManager, stream: string): Promise<number> {
  const rows = (await tx.query(`SELECT until_seq FROM replay_marks WHERE stream = $1`, [stream])) as { until_seq: string }[];
  return Number(rows[0]?.until_seq ?? 0);
}

export async function setReplayMark(tx: EntityManager, stream: string, untilSeq: number): Promise<void> {
  await tx.query(`INSERT INTO replay_marks (stream, until_seq) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET until_seq = EXCLUDED.until_seq`, [stream, untilSeq]);
}
