import type { DataSource } from 'typeorm';
import { setPartitionMarks } from './partition-marks.js';
import { inTransaction } from './transaction.js';

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
