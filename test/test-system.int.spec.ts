import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { freePort } from '@kite/local-infra';
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

  it('a wait for the configuration that times out names the service behind, where it stands, and what it last wrote', async () => {
    const routing = await system.startService('routing-service');
    routing.child.kill('SIGSTOP');
    try {
      await system.publishRaw('kite.config.acme.directory', '{}', 'test-system-config-1');
      const failed = await system.untilConfigApplied(500).then(
        () => 'applied',
        (e: Error) => e.message,
      );
      expect(failed).toMatch(/^timed out waiting for every service to apply the configuration \(KITE_CONFIG up to #\d+\): routing-service stands at #0; the last it wrote:/);
    } finally {
      routing.child.kill('SIGCONT');
      await system.stopService('routing-service');
    }
  }, 60_000);

  it('ports are handed out once each, below the range outgoing connections take theirs from', async () => {
    const [ephemeralFirst] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralFirst!);
    }
  });
});
