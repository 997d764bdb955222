import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, TestSystem } from '@kite/testing';

/** The harness every integration test starts the services with. */
describe('TestSystem', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ services: [] });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('a service that cannot start: the error names it and carries the last lines it wrote, so a failed run in CI says why', async () => {
    const failed = await system.startService('routing-service', { KITE_PARTITIONS: '0' }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/^routing-service: the service on port \d+ exited before its health check answered; the last it wrote:\n/);
    // With KITE_TEST_LOGS the output went to the terminal instead, and the error says so.
    expect(failed).toContain(process.env.KITE_TEST_LOGS ? '(its output was shown: KITE_TEST_LOGS)' : 'KITE_PARTITIONS');
  }, 60_000);

  it('a system whose service cannot start stops what it started before it fails: its database is dropped', async () => {
    const database = await createTestDatabase();
    let dropped = false;
    const started = TestSystem.start({ services: ['routing-service'], env: { 'routing-service': { KITE_PARTITIONS: '0' } }, database: { url: database.url, drop: async () => { dropped = true; await database.drop(); } } });
    await expect(started).rejects.toThrow(/^routing-service: the service on port \d+ exited before its health check answered/);
    expect(dropped).toBe(true);
  }, 60_000);
});
