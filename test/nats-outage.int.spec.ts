import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subjects } from '@kite/contracts';
import { SERVICE_NAMES } from '@kite/local-infra';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage } from './fixtures.js';


/**
 * A NATS outage: every service reports not ready (503) while it cannot reach NATS, is ready again by
 * itself once the server is back, and its consumers resume: a message published after the restart
 * is linked and routed.
 */
describe('NATS outage', () => {
  let system: TestSystem;
  const readiness = () => Promise.all(SERVICE_NAMES.map(async (name) => (await fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`)).status));

  beforeAll(async () => {
    system = await TestSystem.start();
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => system?.stop());

  it('every service answers 503 while NATS is down, 200 once it is back, and its consumers resume', async () => {
    expect(await readiness()).toEqual([200, 200, 200, 200]);
    await system.stopNats();
    await eventually(async () => (await readiness()).every((status) => status === 503), 'every service not ready', 15_000);
    // Down long enough for the clients' reconnect attempts and the consumers' heartbeats to run out several times.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await readiness()).toEqual([503, 503, 503, 503]);

    await system.startNats();
    await eventually(async () => (await readiness()).every((status) => status === 200), 'every service ready again', 30_000);
    const event = inboundMessage('acme', '+15553000001', 'after-outage');
    await eventually(async () => {
      // The test's own connection may still be reconnecting: publish until the stream takes it.
      return system.publish(subjects.inbound('acme', 'MessageReceived'), event).then(() => true, () => false);
    }, 'the message published', 30_000);
    const members = await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === event.id)[0], 'MembersAdded for the message sent after the outage', 30_000);
    expect(members.data).toMatchObject({ members: [{ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-bruno' }], reason: 'routing' });
  });
});
