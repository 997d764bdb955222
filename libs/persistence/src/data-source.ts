import { DataSource, type MigrationInterface } from 'typeorm';

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
    // Custom plans: a prepared statement is parsed once but planned for the keys it is given. A
    // plan kept for every run (PostgreSQL's choice after five) is made for the table as it was then:
    // one made while a table was empty scans every row for each key once it holds thousands.
    extra: { max: options.poolSize ?? 10, options: `-c search_path=${options.schema} -c plan_cache_mode=force_custom_plan`, pipeline: true },
  });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  await ds.runMigrations({ transaction: 'all' });
  return ds;
}

/** Drops the service's schema: the read model is rebuilt by replaying its streams. */
export async function dropServiceSchema(url: string, schema: string): Promise<void> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await ds.destroy();
  }
}
