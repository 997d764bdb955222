import { startTestPostgres } from '@kite/testing';

/** One PostgreSQL for the run (each test file makes its own database in it); NATS is per file. */
export default async function globalSetup(): Promise<void> {
  const postgres = await startTestPostgres();
  (globalThis as { __kitePostgres?: { stop(): Promise<void> } }).__kitePostgres = postgres;
}
