import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Queryable } from './transaction.js';

/**
 * Up to where a processor had decided on its stream before its read model was dropped for a
 * rebuild: in the partition `partition` of `partitions` (the count it ran with then), messages up
 * to `untilSeq` are only projected again, never decided again; those after it were never decided.
 */
export interface ReplayMark {
  processor: string;
  partitions: number;
  partition: number;
  untilSeq: number;
}

/**
 * Replay marks per processor and partition, from the checkpoints a rebuild dropped (they were per
 * stream, at the stream's end: what came after a service stopped was replayed as if decided).
 */
export class ReplayMarksPerPartition1733600000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE replay_marks RENAME TO stream_replay_marks`);
    await q.query(`CREATE TABLE replay_marks (processor text NOT NULL, partitions int NOT NULL, partition int NOT NULL, until_seq bigint NOT NULL, PRIMARY KEY (processor, partitions, partition))`);
    await q.query(`INSERT INTO replay_marks SELECT DISTINCT c.processor, 1, 0, m.until_seq FROM stream_replay_marks m JOIN checkpoints c ON c.stream = m.stream`);
    await q.query(`DROP TABLE stream_replay_marks`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE stream_replay_marks (stream text PRIMARY KEY, until_seq bigint NOT NULL)`);
    await q.query(`INSERT INTO stream_replay_marks SELECT c.stream, max(m.until_seq) FROM replay_marks m JOIN checkpoints c ON c.processor = m.processor GROUP BY c.stream`);
    await q.query(`DROP TABLE replay_marks`);
    await q.query(`ALTER TABLE stream_replay_marks RENAME TO replay_marks`);
  }
}

/** Sets the marks; of two for one partition, the higher holds. */
export async function setReplayMarks(db: Queryable, marks: readonly ReplayMark[]): Promise<void> {
  if (marks.length === 0) return;
  const highest = new Map<string, ReplayMark>();
  for (const m of marks) {
    const key = `${m.processor} ${m.partitions} ${m.partition}`;
    if ((highest.get(key)?.untilSeq ?? -1) < m.untilSeq) highest.set(key, m);
  }
  await db.query(
    `INSERT INTO replay_marks (processor, partitions, partition, until_seq) SELECT processor, partitions, partition, until_seq FROM jsonb_to_recordset($1::jsonb) AS x(processor text, partitions int, partition int, until_seq bigint)
     ON CONFLICT (processor, partitions, partition) DO UPDATE SET until_seq = greatest(replay_marks.until_seq, EXCLUDED.until_seq)`,
    [JSON.stringify([...highest.values()].map((m) => ({ processor: m.processor, partitions: m.partitions, partition: m.partition, until_seq: m.untilSeq })))],
  );
}

export async function readReplayMarks(db: Queryable, processor: string): Promise<ReplayMark[]> {
  const rows = (await db.query(`SELECT partitions, partition, until_seq FROM replay_marks WHERE processor = $1`, [processor])) as { partitions: number; partition: number; until_seq: string }[];
  return rows.map((r) => ({ processor, partitions: r.partitions, partition: r.partition, untilSeq: Number(r.until_seq) }));
}

interface CheckpointRow {
  processor: string;
  partition: number;
  stream: string;
  position: string;
}

/**
 * Before a rebuild drops the schema: where its replayed processors stood, as replay marks (their
 * checkpoints, with the partition count they ran with, and the marks of a rebuild they had not
 * finished), and the checkpoints of its inputs, which are kept as they are.
 */
export async function standingBeforeDrop(db: Queryable, schema: string, inputs: readonly string[]): Promise<{ inputs: CheckpointRow[]; marks: ReplayMark[] }> {
  const [exists] = (await db.query(`SELECT to_regclass($1) AS t`, [`"${schema}".checkpoints`])) as { t: string | null }[];
  if (!exists?.t) return { inputs: [], marks: [] };
  const rows = (await db.query(`SELECT processor, partition, stream, position FROM "${schema}".checkpoints ORDER BY processor, partition`)) as CheckpointRow[];
  const replayed = rows.filter((r) => !inputs.includes(r.stream));
  const partitions = new Map<string, number>();
  for (const r of replayed) partitions.set(r.processor, (partitions.get(r.processor) ?? 0) + 1);
  const checkpoints = replayed.map((r) => ({ processor: r.processor, partitions: partitions.get(r.processor)!, partition: r.partition, untilSeq: Number(r.position) }));
  return { inputs: rows.filter((r) => inputs.includes(r.stream)), marks: [...checkpoints, ...(await unfinishedRebuild(db, schema, replayed))] };
}

/** The marks of a rebuild the schema was still in; kept by the next rebuild, what they cover was decided before it. */
async function unfinishedRebuild(db: Queryable, schema: string, replayed: readonly CheckpointRow[]): Promise<ReplayMark[]> {
  const columns = ((await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'replay_marks'`, [schema])) as { column_name: string }[]).map((c) => c.column_name);
  if (columns.includes('processor')) {
    const rows = (await db.query(`SELECT processor, partitions, partition, until_seq FROM "${schema}".replay_marks`)) as { processor: string; partitions: number; partition: number; until_seq: string }[];
    return rows.map((r) => ({ processor: r.processor, partitions: r.partitions, partition: r.partition, untilSeq: Number(r.until_seq) }));
  }
  if (!columns.includes('stream')) return [];
  // The marks as they were before they were kept per partition: one per stream.
  const rows = (await db.query(`SELECT stream, until_seq FROM "${schema}".replay_marks`)) as { stream: string; until_seq: string }[];
  const processors = new Map(replayed.map((r) => [r.processor, r.stream]));
  return [...processors].flatMap(([processor, stream]) => rows.filter((m) => m.stream === stream).map((m) => ({ processor, partitions: 1, partition: 0, untilSeq: Number(m.until_seq) })));
}
