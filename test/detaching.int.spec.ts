import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';

const N7 = '+15550000007'; // sms, svc-b, moved to svc-d by its test
const N8 = '+15550000008'; // sms, svc-b, moved to svc-d by its test

/** L6 while a number moves: conversations decided as it moves are detached, whenever they commit. */
describe('detaching a number from its conversations as they are created', () => {
  let system: TestSystem;
  let n = 0;
  const data = <T>(e: AnyEnvelope) => e.data as T;
  const effect = (type: string, cause: string) => eventually(() => system.outboundOf(type, (e) => e.correlationId === cause)[0], `${type} caused by ${cause}`);

  async function inbound(from: string, to: string): Promise<string> {
    const event = makeEvent('MessageReceived', 'acme', { messageId: `in-${++n}`, channel: 'sms', from, to, text: `hello ${n}`, receivedAt: new Date(Date.now() + n).toISOString() });
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    return event.id;
  }

  beforeAll(async () => {
    system = await TestSystem.start();
    const directory = await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [{ number: N7, channels: ['sms'] }, { number: N8, channels: ['sms'] }],
      services: [
        { id: 'svc-b', name: 'B', agentIds: ['ag-bruno'], dialplan: {} },
        { id: 'svc-d', name: 'D', agentIds: [], dialplan: {} },
      ],
      agents: [{ id: 'ag-bruno', name: 'Bruno' }],
      bots: [],
    });
    expect(directory.status).toBe(200);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('L6 conversations created the moment the number moves are detached too, while linking\'s view has not shown them yet; none is left on S1 undetached, none of S2 detached', async () => {
    const routing = (serviceId: string) => ({ linkedServiceId: serviceId, workingHours: { routing: { type: 'group', serviceId }, schedule: { timeZone: 'UTC', rules: [] } } });
    expect((await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N7)}`, routing('svc-b'))).status).toBe(200);
    await system.untilConfigApplied();
    // Linking's view is held back: its transactions wait for this lock, so it shows none of the conversations below.
    const holder = new pg.Client({ connectionString: system.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE linking.conversations IN EXCLUSIVE MODE');
      const contacts = Array.from({ length: 40 }, (_, i) => `+155530901${String(i).padStart(2, '0')}`);
      // Twenty conversations created just before the move.
      const early = await Promise.all(contacts.slice(0, 20).map((contact) => inbound(contact, N7)));
      const createdEarly = await Promise.all(early.map((cause) => effect('ConversationCreated', cause)));
      // Twenty more whose first messages race the move: each is created before it (and detached) or after it (on svc-d).
      const [moved, ...racing] = await Promise.all([system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N7)}`, routing('svc-d')), ...contacts.slice(20).map((contact) => inbound(contact, N7))]);
      expect(moved.status).toBe(200);
      const created = [...createdEarly, ...(await Promise.all(racing.map((cause) => effect('ConversationCreated', cause))))];
      const serviceOf = (e: AnyEnvelope) => data<{ serviceId: string }>(e).serviceId;
      const idsOn = (serviceId: string) => created.filter((e) => serviceOf(e) === serviceId).map((e) => data<{ conversationId: string }>(e).conversationId);
      expect([createdEarly.every((e) => serviceOf(e) === 'svc-b'), idsOn('svc-b').length + idsOn('svc-d').length]).toEqual([true, 40]);
      const detached = () => new Set(system.outboundOf('ConversationDetached').map((e) => data<{ conversationId: string }>(e).conversationId));
      await eventually(() => idsOn('svc-b').every((c) => detached().has(c)), `every conversation created on svc-b detached (${idsOn('svc-b').length})`);
      await settle(500);
      expect(idsOn('svc-d').filter((c) => detached().has(c))).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('L6 a conversation decided before its number moves and committed after the move looked for conversations is detached where it commits', async () => {
    const routing = (serviceId: string) => ({ linkedServiceId: serviceId, workingHours: { routing: { type: 'group', serviceId }, schedule: { timeZone: 'UTC', rules: [] } } });
    expect((await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N8)}`, routing('svc-b'))).status).toBe(200);
    await system.untilConfigApplied();
    const detachedFrom = (conversationId: string) => system.outboundOf('ConversationDetached', (e) => data<{ conversationId: string }>(e).conversationId === conversationId);
    // Linking's contacts processor commits its decisions with its checkpoints: while this lock holds them, it decides and publishes, and cannot commit.
    const holder = new pg.Client({ connectionString: system.databaseUrl });
    await holder.connect();
    let conversationId: string;
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM linking.checkpoints WHERE processor = 'contacts' FOR UPDATE`);
      const created = await effect('ConversationCreated', await inbound('+15553100001', N8));
      expect(data(created)).toMatchObject({ serviceId: 'svc-b', number: N8 });
      conversationId = data<{ conversationId: string }>(created).conversationId;
      expect((await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N8)}`, routing('svc-d'))).status).toBe(200);
      // The move is applied, its detaching done: the conversation was not committed, so it was not found.
      await system.untilConfigApplied();
      await settle(300);
      expect(detachedFrom(conversationId)).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const detached = await eventually(() => detachedFrom(conversationId)[0], 'ConversationDetached once the conversation commits');
    expect(data(detached)).toEqual({ conversationId, number: N8, reason: 'linked_service_changed' });
    await settle(300);
    expect(detachedFrom(conversationId)).toHaveLength(1);
  });
});
