import type { Queryable } from './transaction.js';
import { readAllPartitionMarks, type PartitionMark } from './partition-marks.js';

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
  if (!(await tableExists(db, schema, 'checkpoints'))) return { inputs: [], marks: [], handled: [], unclean: [] };
  const rows = (await db.query(`SELECT processor, partition, stream, position FROM "${schema}".checkpoints ORDER BY processor, partition`)) as CheckpointRow[];
  const replayed = rows.filter((r) => !inputs.includes(r.stream));
  const partitions = new Map<string, number>();
  for (const r of replayed) partitions.set(r.processor, (partitions.get(r.processor) ?? 0) + 1);
  const checkpoints = replayed.map((r) => ({ processor: r.processor, partitions: partitions.get(r.processor)!, partition: r.partition, untilSeq: Number(r.position) }));
  const handled = (await tableExists(db, schema, 'handled_marks')) ? await readAllPartitionMarks(db, `"${schema}".handled_marks`) : [];
  const isInput = (m: PartitionMark) => rows.some((r) => r.processor === m.processor && inputs.includes(r.stream));
  return {
    inputs: rows.filter((r) => inputs.includes(r.stream)),
    marks: [...checkpoints, ...(await unfinishedRebuild(db, schema, replayed)), ...handled.filter((m) => !isInput(m))],
    handled: handled.filter(isInput),
    // An instance that stopped cleanly removed its row: these may have published decisions they did not commit.
    unclean: ((await db.query(`SELECT owner || ' (last seen ' || to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC)' AS owner FROM "${schema}".processor_instances ORDER BY seen_at`)) as { owner: string }[]).map((r) => r.owner),
  };
}

async function tableExists(db: Queryable, schema: string, table: string): Promise<boolean> {
  const [found] = (await db.query(`SELECT to_regclass($1) AS t`, [`"${schema}".${table}`])) as { t: string | null }[];
  return !!found?.t;
}

/** The marks of a rebuild the schema was still in; kept by the next rebuild, what they cover was decided before it. */
async function unfinishedRebuild(db: Queryable, schema: string, replayed: readonly CheckpointRow[]): Promise<PartitionMark[]> {
  const columns = ((await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'replay_marks'`, [schema])) as { column_name: string }[]).map((c) => c.column_name);
  if (columns.includes('processor')) return readAllPartitionMarks(db, `"${schema}".replay_marks`);
  if (!columns.includes('stream')) return [];
  // The marks as they were before they were kept per partition: one per stream.
  const rows = (await db.query(`SELECT stream, until_seq FROM "${schema}".replay_marks`)) as { stream: string; until_seq: string }[];
  const processors = new Map(replayed.map((r) => [r.processor, r.stream]));
  return [...processors].flatMap(([processor, stream]) => rows.filter((m) => m.stream === stream).map((m) => ({ processor, partitions: 1, partition: 0, untilSeq: Number(m.until_seq) })));
}
