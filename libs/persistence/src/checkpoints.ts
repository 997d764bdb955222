import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Queryable, Statement } from './transaction.js';

/** The first migration of every service schema: per-aggregate positions (since replaced by checkpoints) and replay marks (since per partition). */
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
 * Where each processor of the service stands in each partition of its stream (the sequence of the
 * last message handled), saved in the transaction that applied the messages; which instance holds
 * each partition (a lease it renews); and the instances alive. It replaces the per-aggregate
 * `positions`: a read model projected before it must be rebuilt (`KITE_REBUILD=1`).
 */
export class Processors1733200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE checkpoints (processor text NOT NULL, partition int NOT NULL, stream text NOT NULL, position bigint NOT NULL, PRIMARY KEY (processor, partition))`);
    await q.query(`CREATE TABLE partition_leases (processor text NOT NULL, partition int NOT NULL, owner text, expires_at timestamptz, PRIMARY KEY (processor, partition))`);
    await q.query(`CREATE TABLE processor_instances (owner text PRIMARY KEY, seen_at timestamptz NOT NULL)`);
    await q.query(`DROP TABLE positions`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE positions (projection text NOT NULL, aggregate text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (projection, aggregate))`);
    await q.query(`DROP TABLE processor_instances, partition_leases, checkpoints`);
  }
}

/** What `moveCheckpoints` raises when a checkpoint no longer stands where the instance left it. */
export const CHECKPOINT_MOVED = 'KC409';

/** `move_checkpoints` around the UPDATE that moves the checkpoints: it raises `CHECKPOINT_MOVED` unless the UPDATE moved every partition named. */
const moveCheckpointsFunction = (update: string) => `CREATE OR REPLACE FUNCTION move_checkpoints(p_processor text, p_partitions int[], p_from bigint[], p_to bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE moved int;
      BEGIN
        ${update};
        GET DIAGNOSTICS moved = ROW_COUNT;
        IF moved <> cardinality(p_partitions) THEN
          RAISE EXCEPTION 'a checkpoint of % moved: another instance held its partition', p_processor USING ERRCODE = '${CHECKPOINT_MOVED}';
        END IF;
      END $$`;

/**
 * `move_checkpoints`: moves checkpoints from where the instance left them, or raises
 * `CHECKPOINT_MOVED` (and so aborts the transaction) when one stands elsewhere: another instance
 * held the partition meanwhile. A transaction sent whole in one round trip fences with it.
 */
export class CheckpointMoves1733300000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      moveCheckpointsFunction(`UPDATE checkpoints c SET position = x.t FROM unnest(p_partitions, p_from, p_to) AS x(p, f, t)
         WHERE c.processor = p_processor AND c.partition = x.p AND c.position = x.f`),
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION move_checkpoints(text, int[], bigint[], bigint[])`);
  }
}

/** `move_checkpoints` looks each partition's positions up in the arrays instead of joining with them: it planned its UPDATE in 120 µs, now about 75. */
export class CheckpointMovesLookedUp1733800000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      moveCheckpointsFunction(`UPDATE checkpoints SET position = p_to[array_position(p_partitions, partition)]
         WHERE processor = p_processor AND partition = ANY(p_partitions) AND position = p_from[array_position(p_partitions, partition)]`),
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await new CheckpointMoves1733300000000().up(q);
  }
}

/** Moves the partitions' checkpoints from `from` to `to`, or aborts the transaction (`CHECKPOINT_MOVED`). */
export function moveCheckpoints(processor: string, from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>): Statement {
  return { sql: `SELECT move_checkpoints($1, $2::int[], $3::bigint[], $4::bigint[])`, params: moveParams(processor, from, to) };
}

/** The parameters of a move: the processor, its partitions in ascending order, where each stands (0 if never moved) and where it goes. */
function moveParams(processor: string, from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>): unknown[] {
  const partitions = [...to.keys()].sort((a, b) => a - b);
  return [processor, partitions, partitions.map((p) => from.get(p) ?? 0), partitions.map((p) => to.get(p)!)];
}

/** Creates the processor's checkpoint and lease rows (idempotent, any instance). */
export async function createPartitions(db: Queryable, processor: string, stream: string, partitions: number): Promise<void> {
  await db.query(
    `INSERT INTO checkpoints (processor, partition, stream, position) SELECT $1, p, $2, 0 FROM generate_series(0, $3 - 1) AS p ON CONFLICT DO NOTHING`,
    [processor, stream, partitions],
  );
  await db.query(`INSERT INTO partition_leases (processor, partition) SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`, [processor, partitions]);
}

/** The checkpoints of the partitions, 0 for those never handled. */
export async function readCheckpoints(db: Queryable, processor: string, partitions: readonly number[]): Promise<Map<number, number>> {
  const rows = (await db.query(`SELECT partition, position FROM checkpoints WHERE processor = $1 AND partition = ANY($2::int[])`, [processor, partitions])) as { partition: number; position: string }[];
  const found = new Map(partitions.map((p) => [p, 0]));
  for (const r of rows) found.set(r.partition, Number(r.position));
  return found;
}

/**
 * Moves the partitions' checkpoints from where this instance left them (`from`) to where its batch
 * ends (`to`), and so locks them until the transaction ends; its rows are the partitions moved. A
 * checkpoint that stands elsewhere is not moved: another instance held the partition meanwhile. A
 * second instance that believes it holds one (its lease taken over while it was stalled) waits on
 * the lock, then finds the checkpoint moved, and gives the work up. Sent first, with the reads of
 * the batch, it is the only statement a transaction spends on where it stands.
 */
export function advanceCheckpoints(processor: string, from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>): Statement {
  // Each row's positions looked up in the arrays, not joined with them: joined, PostgreSQL planned it in 120 µs instead of 75.
  return {
    sql: `UPDATE checkpoints SET position = ($4::bigint[])[array_position($2::int[], partition)]
           WHERE processor = $1 AND partition = ANY($2::int[]) AND position = ($3::bigint[])[array_position($2::int[], partition)] RETURNING partition`,
    params: moveParams(processor, from, to),
  };
}

/**
 * One lease round of an instance, in one statement: it says it is alive, renews what it holds, and
 * learns how many instances are alive. Returns the partitions it holds per processor and the number
 * of instances.
 */
export async function renewLeases(db: Queryable, owner: string, leaseSeconds: number): Promise<{ held: Map<string, number[]>; instances: number }> {
  const [row] = (await db.query(
    `WITH alive AS (INSERT INTO processor_instances (owner, seen_at) VALUES ($1, now()) ON CONFLICT (owner) DO UPDATE SET seen_at = now()),
          renewed AS (UPDATE partition_leases SET expires_at = now() + make_interval(secs => $2) WHERE owner = $1 RETURNING processor, partition)
     SELECT 1 + (SELECT count(*)::int FROM processor_instances WHERE owner <> $1 AND seen_at > now() - make_interval(secs => $2)) AS instances,
            coalesce((SELECT json_agg(json_build_array(processor, partition)) FROM renewed), '[]') AS held`,
    [owner, leaseSeconds],
  )) as { instances: number; held: [string, number][] }[];
  const held = new Map<string, number[]>();
  for (const [processor, partition] of row?.held ?? []) held.set(processor, [...(held.get(processor) ?? []), partition].sort((a, b) => a - b));
  return { held, instances: row?.instances ?? 1 };
}

/** Takes up to `count` of the processor's partitions that nobody holds (or whose lease ran out). A SELECT: any client answers it with its rows. */
export async function claimPartitions(db: Queryable, owner: string, processor: string, count: number, leaseSeconds: number): Promise<number[]> {
  if (count <= 0) return [];
  const rows = (await db.query(
    `WITH claimed AS (
       UPDATE partition_leases SET owner = $1, expires_at = now() + make_interval(secs => $4)
       WHERE (processor, partition) IN (
         SELECT processor, partition FROM partition_leases WHERE processor = $2 AND (owner IS NULL OR expires_at < now()) ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING partition)
     SELECT partition FROM claimed`,
    [owner, processor, count, leaseSeconds],
  )) as { partition: number }[];
  return rows.map((r) => r.partition);
}

/** Gives partitions (or, with none named, all the instance holds) back, and forgets the instance when it leaves. */
export async function releasePartitions(db: Queryable, owner: string, processor?: string, partitions?: readonly number[]): Promise<void> {
  if (processor === undefined) {
    await db.query(`UPDATE partition_leases SET owner = NULL, expires_at = NULL WHERE owner = $1`, [owner]);
    await db.query(`DELETE FROM processor_instances WHERE owner = $1`, [owner]);
    return;
  }
  await db.query(`UPDATE partition_leases SET owner = NULL, expires_at = NULL WHERE owner = $1 AND processor = $2 AND partition = ANY($3::int[])`, [owner, processor, partitions ?? []]);
}
