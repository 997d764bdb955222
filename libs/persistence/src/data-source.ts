import type { Pool } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import type { PartitionMark } from './partition-marks.js';
import { standingBeforeDrop } from './rebuild-standing.js';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema: no service reads another's tables. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
}

/** A TypeORM DataSource confined to one schema, with its migrations applied (never `synchronize`). */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    migrations: options.migrations,
    migrationsTableName: `${options.schema}_migrations`,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // Pipeline mode: a `Transaction` sends several statements before the first answer comes.
    // Generic plans: a prepared statement is parsed and planned once per connection, not at every
    // run. A plan made while a table was empty would scan every row for each key once it holds
    // thousands; with sequential scans disabled, a statement that can find its rows through an index
    // always does (docs/decisions.md).
    extra: { max: options.poolSize ?? 10, options: `-c search_path=${options.schema} -c plan_cache_mode=force_generic_plan -c enable_seqscan=off`, pipeline: true },
  });
  await ds.initialize();
  keepNewConnectionsFromCrashing(poolOf(ds));
  await ds.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  await ds.runMigrations({ transaction: 'all' });
  return ds;
}

/** The node-postgres pool behind a TypeORM DataSource. */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}

/**
 * A connection terminated just as it was opened (a failover, `pg_terminate_backend`) can bring its
 * last startup message and the server's FATAL in one read: the pool hands the new client out while
 * that read is parsed, and the FATAL is emitted before its borrower has listened for errors. An
 * 'error' event nobody listens to ends the process. Every new client therefore listens from the
 * start; its borrower still learns of the loss, as its queries fail ("not queryable").
 */
function keepNewConnectionsFromCrashing(pool: Pool): void {
  pool.on('connect', (client) => client.on('error', () => undefined));
}

/**
 * Drops the schema (a rebuild). Returns the checkpoints and handled marks of the processors of the
 * streams in `inputs` (which are not replayed), to be put back once the schema is migrated again,
 * and where the others stood, the replay marks of the rebuild.
 */
export async function dropServiceSchema(url: string, schema: string, inputs: readonly string[] = []): Promise<{ inputs: unknown[]; marks: PartitionMark[]; handled: PartitionMark[]; unclean: string[] }> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    const standing = await standingBeforeDrop(ds, schema, inputs);
    await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    return standing;
  } finally {
    await ds.destroy();
  }
}

/** Puts back the checkpoints `dropServiceSchema` kept, and the partition count they are kept in. */
export async function restoreCheckpoints(ds: DataSource, rows: readonly unknown[]): Promise<void> {
  if (rows.length === 0) return;
  await ds.query(
    `INSERT INTO checkpoints (processor, partition, stream, position) SELECT processor, partition, stream, position FROM jsonb_to_recordset($1::jsonb) AS x(processor text, partition int, stream text, position bigint)
     ON CONFLICT (processor, partition) DO UPDATE SET position = EXCLUDED.position`,
    [JSON.stringify(rows)],
  );
  await ds.query(`INSERT INTO processor_partitions (processor, partitions) SELECT processor, count(*) FROM checkpoints GROUP BY processor ON CONFLICT (processor) DO NOTHING`);
}
