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
