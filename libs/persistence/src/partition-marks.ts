import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Queryable } from './transaction.js';

/**
 * Up to where a processor had handled its stream in another partition count: in the partition
 * `partition` of `partitions` (the count it ran with then), messages up to `untilSeq`. A replay
 * mark (a rebuild: where it stood before its read model was dropped) says they are only projected
 * again, never decided again; a handled mark (`KITE_PARTITIONS` changed) that they are skipped.
 */
export interface PartitionMark {
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
export async function setPartitionMarks(db: Queryable, table: 'replay_marks' | 'handled_marks', marks: readonly PartitionMark[]): Promise<void> {
  if (marks.length === 0) return;
  const highest = new Map<string, PartitionMark>();
  for (const m of marks) {
    const key = `${m.processor} ${m.partitions} ${m.partition}`;
    if ((highest.get(key)?.untilSeq ?? -1) < m.untilSeq) highest.set(key, m);
  }
  await db.query(
    `INSERT INTO ${table} (processor, partitions, partition, until_seq) SELECT processor, partitions, partition, until_seq FROM jsonb_to_recordset($1::jsonb) AS x(processor text, partitions int, partition int, until_seq bigint)
     ON CONFLICT (processor, partitions, partition) DO UPDATE SET until_seq = greatest(${table}.until_seq, EXCLUDED.until_seq)`,
    [JSON.stringify([...highest.values()].map((m) => ({ processor: m.processor, partitions: m.partitions, partition: m.partition, until_seq: m.untilSeq })))],
  );
}

/** What a rebuild only projects again (`replay_marks`), or what was handled before the partition count changed (`handled_marks`). */
export async function readPartitionMarks(db: Queryable, table: 'replay_marks' | 'handled_marks', processor: string): Promise<PartitionMark[]> {
  return marksOf(await db.query(`SELECT processor, partitions, partition, until_seq FROM ${table} WHERE processor = $1`, [processor]));
}

/** Every mark in a table (schema-qualified), such as those of a schema about to be dropped. */
export async function readAllPartitionMarks(db: Queryable, table: string): Promise<PartitionMark[]> {
  return marksOf(await db.query(`SELECT processor, partitions, partition, until_seq FROM ${table}`));
}

const marksOf = (rows: unknown): PartitionMark[] =>
  (rows as { processor: string; partitions: number; partition: number; until_seq: string }[]).map((r) => ({ processor: r.processor, partitions: r.partitions, partition: r.partition, untilSeq: Number(r.until_seq) }));

/** What a processor had handled before `KITE_PARTITIONS` changed, per partition of the count of then; and the count each runs with. */
export class HandledMarks1733700000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE handled_marks (processor text NOT NULL, partitions int NOT NULL, partition int NOT NULL, until_seq bigint NOT NULL, PRIMARY KEY (processor, partitions, partition))`);
    await q.query(`CREATE TABLE processor_partitions (processor text PRIMARY KEY, partitions int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE handled_marks, processor_partitions`);
  }
}
