import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inTransaction, type Queryable } from './transaction.js';
import type { DataSource } from 'typeorm';

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
  const rows = (await db.query(`SELECT partitions, partition, until_seq FROM ${table} WHERE processor = $1`, [processor])) as { partitions: number; partition: number; until_seq: string }[];
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
 * finished or of a partition count changed), the checkpoints and handled marks of its inputs,
 * which are kept as they are, and the instances that did not stop cleanly.
 */
export async function standingBeforeDrop(db: Queryable, schema: string, inputs: readonly string[]): Promise<{ inputs: CheckpointRow[]; marks: PartitionMark[]; handled: PartitionMark[]; unclean: string[] }> {
  const [exists] = (await db.query(`SELECT to_regclass($1) AS t`, [`"${schema}".checkpoints`])) as { t: string | null }[];
  if (!exists?.t) return { inputs: [], marks: [], handled: [], unclean: [] };
  const rows = (await db.query(`SELECT processor, partition, stream, position FROM "${schema}".checkpoints ORDER BY processor, partition`)) as CheckpointRow[];
  const replayed = rows.filter((r) => !inputs.includes(r.stream));
  const partitions = new Map<string, number>();
  for (const r of replayed) partitions.set(r.processor, (partitions.get(r.processor) ?? 0) + 1);
  const checkpoints = replayed.map((r) => ({ processor: r.processor, partitions: partitions.get(r.processor)!, partition: r.partition, untilSeq: Number(r.position) }));
  const handled = await handledBeforeDrop(db, schema);
  const isInput = (m: PartitionMark) => rows.some((r) => r.processor === m.processor && inputs.includes(r.stream));
  return {
    inputs: rows.filter((r) => inputs.includes(r.stream)),
    marks: [...checkpoints, ...(await unfinishedRebuild(db, schema, replayed)), ...handled.filter((m) => !isInput(m))],
    handled: handled.filter(isInput),
    // An instance that stopped cleanly removed its row: these may have published decisions they did not commit.
    unclean: ((await db.query(`SELECT owner || ' (last seen ' || to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC)' AS owner FROM "${schema}".processor_instances ORDER BY seen_at`)) as { owner: string }[]).map((r) => r.owner),
  };
}

async function handledBeforeDrop(db: Queryable, schema: string): Promise<PartitionMark[]> {
  const [exists] = (await db.query(`SELECT to_regclass($1) AS t`, [`"${schema}".handled_marks`])) as { t: string | null }[];
  if (!exists?.t) return [];
  const rows = (await db.query(`SELECT processor, partitions, partition, until_seq FROM "${schema}".handled_marks`)) as { processor: string; partitions: number; partition: number; until_seq: string }[];
  return rows.map((r) => ({ processor: r.processor, partitions: r.partitions, partition: r.partition, untilSeq: Number(r.until_seq) }));
}

/** The marks of a rebuild the schema was still in; kept by the next rebuild, what they cover was decided before it. */
async function unfinishedRebuild(db: Queryable, schema: string, replayed: readonly CheckpointRow[]): Promise<PartitionMark[]> {
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

/**
 * Before a processor runs with `partitions`: when its checkpoints are kept in another count (the
 * count changed with every instance of the service stopped), its partitions start again from the
 * lowest old checkpoint, and what each old partition had handled becomes a handled mark, so that
 * nothing is handled twice nor skipped. Refused while another instance was seen in the last
 * `aliveSeconds`: it still reads with the old count. A schema from before the count was kept ran
 * with `partitions` if it has their rows (rows beyond are left from a count lowered then).
 */
export async function repartition(ds: DataSource, processor: string, partitions: number, owner: string | null, aliveSeconds: number): Promise<void> {
  await inTransaction(ds, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext($1))`, [processor]);
    const [stored] = (await tx.query(`SELECT partitions FROM processor_partitions WHERE processor = $1`, [processor])) as { partitions: number }[];
    const rows = (await tx.query(`SELECT partition, position FROM checkpoints WHERE processor = $1`, [processor])) as { partition: number; position: string }[];
    const was = stored?.partitions ?? (rows.length === 0 || rows.filter((r) => r.partition < partitions).length === partitions ? partitions : rows.length);
    if (was !== partitions && rows.length > 0) {
      const running = (await tx.query(`SELECT owner FROM processor_instances WHERE owner IS DISTINCT FROM $1 AND seen_at > now() - make_interval(secs => $2)`, [owner, aliveSeconds])) as { owner: string }[];
      if (running.length) throw new Error(`${processor}: KITE_PARTITIONS is ${partitions} but its checkpoints are kept in ${was} partitions, and ${running.map((r) => r.owner).join(', ')} still runs: stop every instance of the service, then start them with the new count`);
      const old = rows.filter((r) => r.partition < was);
      await setPartitionMarks(tx, 'handled_marks', old.map((r) => ({ processor, partitions: was, partition: r.partition, untilSeq: Number(r.position) })));
      const from = Math.min(...old.map((r) => Number(r.position)));
      await tx.query(`UPDATE checkpoints SET position = $2 WHERE processor = $1`, [processor, from]);
      await tx.query(`INSERT INTO checkpoints (processor, partition, stream, position) SELECT processor, p, stream, $3 FROM (SELECT processor, stream FROM checkpoints WHERE processor = $1 LIMIT 1) c, generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`, [processor, partitions, from]);
    }
    await tx.query(`DELETE FROM checkpoints WHERE processor = $1 AND partition >= $2`, [processor, partitions]);
    await tx.query(`DELETE FROM partition_leases WHERE processor = $1 AND partition >= $2`, [processor, partitions]);
    await tx.query(`INSERT INTO processor_partitions (processor, partitions) VALUES ($1, $2) ON CONFLICT (processor) DO UPDATE SET partitions = EXCLUDED.partitions`, [processor, partitions]);
  });
}
