import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subjects } from '@kite/contracts';
import { ensureDatabase, freePort, SERVICE_NAMES, startEmbeddedPostgres, type RunningPostgres } from '@kite/local-infra';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage } from './fixtures.js';

const MESSAGES = 300;

/**
 * PostgreSQL down for seconds while messages flow (a restart, a failover): the services answer 503
 * meanwhile, take it up again by themselves, and every message is linked once; none is dead-lettered
 * for the outage. The server is this test's own, so stopping it touches no other test.
 */
describe('PostgreSQL down under load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-pg-down-'));
  let port: number;
  let postgres: RunningPostgres;
  let system: TestSystem;
  const startPostgres = async () => (postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port }));
  const answers = () => Promise.all(SERVICE_NAMES.map(async (name) => fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`)));
  const readiness = async () => (await answers()).map((r) => r.status);

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755); // PostgreSQL's own user, as root, reaches it
    port = await freePort();
    await startPostgres();
    await ensureDatabase(postgres.adminUrl, 'kite');
    system = await TestSystem.start({ database: { url: postgres.urlFor('kite'), drop: async () => undefined } });
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => {
    await system?.stop();
    await postgres?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('503 while it is down, 200 once it is back; every message linked once, none dead-lettered', async () => {
    const sent: string[] = [];
    const publish = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const event = inboundMessage('acme', `+1555400${String(i % 50).padStart(4, '0')}`, `down-${i}`);
        sent.push(event.id);
        await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
      }
    };
    await publish(0, MESSAGES / 3);
    await postgres.stop();
    await publish(MESSAGES / 3, MESSAGES / 3);
    await eventually(async () => (await readiness()).every((status) => status === 503), 'every service not ready', 15_000);
    // As docs/contract.md says: the checks, and which is down.
    for (const answer of await answers()) expect(await answer.json()).toEqual({ status: 'unavailable', checks: { processors: expect.any(String), database: 'down' } });
    // Down for longer than the five attempts (backoff 0.2, 1, 3, 10 s) a failing event gets before it is dead-lettered.
    await new Promise((r) => setTimeout(r, 16_000));
    await startPostgres();
    await publish((2 * MESSAGES) / 3, MESSAGES / 3);
    await eventually(async () => (await readiness()).every((status) => status === 200), 'every service ready again', 30_000);
    const appended = () => new Set(system.outboundOf('ContactMessageAppended').map((e) => e.correlationId));
    await eventually(() => appended().size === MESSAGES, `all ${MESSAGES} messages linked`, 60_000);
    expect([...appended()].sort()).toEqual([...sent].sort());
    expect(system.deadLetters).toEqual([]);
  });
});
