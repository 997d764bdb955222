import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, ensureDatabase, freePort, startEmbeddedPostgres, type RunningPostgres } from '@kite/local-infra';

const ADMIN_URL_VARIABLE = 'KITE_TEST_PG_ADMIN_URL';

/**
 * For jest's global setup: a PostgreSQL server for the whole run. `KITE_TEST_PG_ADMIN_URL` names an
 * existing server to use; otherwise an embedded one is started in a temporary directory, so a
 * fresh machine needs nothing installed.
 */
export async function startTestPostgres(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const given = process.env[ADMIN_URL_VARIABLE];
  if (given) return { adminUrl: given, stop: async () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-test-pg-'));
  fs.chmodSync(dir, 0o777);
  const server: RunningPostgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort() });
  process.env[ADMIN_URL_VARIABLE] = server.adminUrl;
  return {
    adminUrl: server.adminUrl,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A database of its own for one test file: created now, dropped by `drop()`. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env[ADMIN_URL_VARIABLE];
  if (!adminUrl) throw new Error(`${ADMIN_URL_VARIABLE} is not set: run integration tests through jest's global setup`);
  const name = `kite_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(adminUrl, name) };
}

/**
 * A database of its own for a test that opens a schema in several states (as an older release's
 * migrations left it, then as today's do): `connect` opens it at the given state. `drop` closes
 * what is still open and drops the database.
 */
export function scratchDatabase<A extends unknown[], C extends { isInitialized: boolean; destroy(): Promise<void> }>(connect: (url: string, ...args: A) => Promise<C>) {
  let database: { url: string; drop(): Promise<void> } | undefined;
  const opened: C[] = [];
  return {
    async create(): Promise<void> {
      database = await createTestDatabase();
    },
    async open(...args: A): Promise<C> {
      if (!database) throw new Error('create the scratch database first (beforeAll)');
      const connection = await connect(database.url, ...args);
      opened.push(connection);
      return connection;
    },
    async drop(): Promise<void> {
      for (const connection of opened) if (connection.isInitialized) await connection.destroy();
      await database?.drop();
    },
  };
}
