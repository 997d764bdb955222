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

/** Locks the aggregate's position row for this transaction and returns it (0 when new). */
export async function lockPosition(tx: EntityManager, projection: string, aggregate: string): Promise<number> {
  await tx.query(`INSERT INTO positions (projection, aggregate, seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [projection, aggregate]);
  const rows = (await tx.query(`SELECT seq FROM positions WHERE projection = $1 AND aggregate = $2 FOR UPDATE`, [projection, aggregate])) as { seq: string }[];
  return Number(rows[0]?.seq ?? 0);
}

export async function savePosition(tx: EntityManager, projection: string, aggregate: string, seq: number): Promise<void> {
  await tx.query(`UPDATE positions SET seq = $3 WHERE projection = $1 AND aggregate = $2`, [projection, aggregate, seq]);
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
