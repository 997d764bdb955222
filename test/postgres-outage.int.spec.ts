import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { subjects } from '@kite/contracts';
import { SERVICE_NAMES } from '@kite/local-infra';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage } from './fixtures.js';

const MESSAGES = 1_500;
const BETWEEN_CUTS = 25;

/**
 * The services' PostgreSQL connections cut while messages flow (a failover, an administrator's
 * pg_terminate_backend): no service exits, each takes new connections, and every message is
 * linked once. Cut sixty times: a connection cut just as it opens is the rare case (it once
 * ended linking-service), which a few cuts seldom meet.
 */
describe('PostgreSQL connections cut under load', () => {
  let system: TestSystem;
  let admin: pg.Client;

  beforeAll(async () => {
    system = await TestSystem.start();
    admin = new pg.Client({ connectionString: system.databaseUrl });
    await admin.connect();
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => {
    await admin?.end();
    await system?.stop();
  });

  const cutConnections = async () =>
    Number((await admin.query(`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) x`)).rows[0].count);

  it('no service exits, and every message is linked once', async () => {
    const sent: string[] = [];
    let cut = 0;
    for (let i = 0; i < MESSAGES; i += BETWEEN_CUTS) {
      await Promise.all(
        Array.from({ length: BETWEEN_CUTS }, async (_, j) => {
          const event = inboundMessage('acme', `+1555300${String((i + j) % 100).padStart(4, '0')}`, `cut-${i + j}`);
          sent.push(event.id);
          await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
        }),
      );
      cut += await cutConnections();
    }
    expect(cut).toBeGreaterThan(0);
    // Core subscribers see a republished event again (the stream drops it as a duplicate): distinct ids count.
    const appended = () => new Set(system.outboundOf('ContactMessageAppended').map((e) => e.correlationId));
    const exited = () => SERVICE_NAMES.filter((name) => system.services.get(name)?.child.exitCode !== null);
    await eventually(
      () => {
        if (exited().length) throw new Error(`${exited().join(', ')} exited`);
        return appended().size === MESSAGES;
      },
      `all ${MESSAGES} messages linked`,
      60_000,
    );
    expect([...appended()].sort()).toEqual([...sent].sort());
    expect(new Set(system.outboundOf('ContactMessageAppended').map((e) => e.id)).size).toBe(MESSAGES);
    expect(exited()).toEqual([]);
    const ready = await Promise.all(SERVICE_NAMES.map(async (name) => (await fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`)).status));
    expect(ready).toEqual([200, 200, 200, 200]);
  }, 90_000);
});
