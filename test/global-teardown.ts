export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __kitePostgres?: { stop(): Promise<void> } }).__kitePostgres?.stop();
}
