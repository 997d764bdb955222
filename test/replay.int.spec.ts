import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { AnyEnvelope, ContactMessageAppended } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';
import { configureGroupNumber, NUMBER, sendInbound } from './fixtures.js';

async function rows(databaseUrl: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const READ_MODELS = {
  'routing-service': ['SELECT * FROM routing.routing_conversations ORDER BY conversation_id', 'SELECT number, status, configuration FROM routing.number_configurations ORDER BY number', 'SELECT * FROM routing.directory_services ORDER BY service_id'],
  'linking-service': ['SELECT * FROM linking.conversations ORDER BY conversation_id', 'SELECT * FROM linking.timeline ORDER BY item_id', 'SELECT * FROM linking.directory_numbers ORDER BY number'],
  'action-scheduler': ['SELECT * FROM scheduler.activities ORDER BY conversation_id', 'SELECT conversation_id, action_id, tenant, due_at FROM scheduler.timers ORDER BY conversation_id, action_id'],
} as const;

const data = <T>(e: AnyEnvelope) => e.data as T;

/** An action due in a day: each conversation keeps a timer pending that the scheduler's replay must plan again. */
const WAITING_ACTION = { id: 'nudge', conditions: [{ type: 'no_reply', afterSeconds: 86_400 }], task: { type: 'add_members', agentIds: ['ag-bruno'] } };

/** Read models are built only from events: dropped and replayed, they come back the same. */
describe('rebuild by replay', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
    await configureGroupNumber(system, 'acme');
    const saved = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, {
      linkedServiceId: 'svc-sales',
      workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [] }, actions: [WAITING_ACTION] },
    });
    if (saved.status !== 200) throw new Error(`number: ${saved.status} ${JSON.stringify(saved.body)}`);
    await system.untilConfigApplied();
    for (const [i, contact] of ['+15551110001', '+15551110002', '+15551110003'].entries()) {
      const id = await sendInbound(system, 'acme', contact, `replay-${i}`);
      await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === id)[0], `routing of message ${i}`);
    }
    // What was decided is committed a moment later (routing and linking every 100 ms), and the readers of the logs read in bursts.
    const conversations = `SELECT (SELECT count(*) FROM routing.routing_conversations)::int AS routing, (SELECT count(*) FROM linking.conversations)::int AS linking, (SELECT count(*) FROM scheduler.activities)::int AS scheduler`;
    await eventually(async () => JSON.stringify(await rows(system.databaseUrl, conversations)) === JSON.stringify([{ routing: 3, linking: 3, scheduler: 3 }]), 'every read model holding the three conversations');
    await settle(500);
  });
  afterAll(async () => system?.stop());

  for (const service of ['routing-service', 'linking-service', 'action-scheduler'] as const) {
    it(`${service}: dropping the read model and replaying gives the same rows, ready only once caught up, and decides nothing again`, async () => {
      const before = await Promise.all(READ_MODELS[service].map((sql) => rows(system.databaseUrl, sql)));
      for (const table of before) expect(table.length).toBeGreaterThan(0);
      const outboundBefore = system.outboundPublishes;
      await system.stopService(service);
      await system.startService(service, { KITE_REBUILD: '1' }); // returns once /health/ready answers
      expect(await Promise.all(READ_MODELS[service].map((sql) => rows(system.databaseUrl, sql)))).toEqual(before);
      await settle(1_000);
      expect(await Promise.all(READ_MODELS[service].map((sql) => rows(system.databaseUrl, sql)))).toEqual(before);
      expect(system.outboundPublishes).toBe(outboundBefore); // nothing decided again, not even a repeat
    });
  }

  it('linking-service: a message that came in during the rebuild waits for it and joins its contact\'s conversation (L1)', async () => {
    const conversationOf = (messageId: string) => (system.outboundOf('ContactMessageAppended', (e) => (e as ContactMessageAppended).data.messageId === messageId)[0] as ContactMessageAppended | undefined)?.data.conversationId;
    const existing = conversationOf('replay-0');
    expect(existing).toBeDefined();
    const created = system.outboundOf('ConversationCreated').length;
    await system.stopService('linking-service');
    // Waiting on the inputs before the rebuilt service starts: its deciders must not read the links half rebuilt.
    await sendInbound(system, 'acme', '+15551110001', 'replay-during-rebuild');
    await system.startService('linking-service', { KITE_REBUILD: '1' });
    await eventually(() => conversationOf('replay-during-rebuild'), 'the message on a conversation');
    expect(conversationOf('replay-during-rebuild')).toBe(existing);
    expect(system.outboundOf('ConversationCreated')).toHaveLength(created);
  });

  it('routing-service: a conversation created while routing was stopped is routed by its rebuild, once; what it had routed is not routed again (R1)', async () => {
    const members = system.outboundOf('MembersAdded').length;
    await system.stopService('routing-service');
    const id = await sendInbound(system, 'acme', '+15551110009', 'while-routing-stopped');
    await eventually(() => system.outboundOf('ConversationCreated', (e) => e.correlationId === id)[0], 'the conversation created without routing');
    await system.startService('routing-service', { KITE_REBUILD: '1' });
    await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === id)[0], 'its members added by the rebuilt routing');
    await settle(500);
    expect(system.outboundOf('MembersAdded')).toHaveLength(members + 1);
  });

  it('linking-service: a conversation linking created and its view had not shown when linking stopped is whole after the rebuild: the contact\'s next message joins it (L1)', async () => {
    const created = () => system.outboundOf('ConversationCreated', (e) => data<{ contact: string }>(e).contact === '+15551110010');
    // Linking's view is held back (its transactions wait for this lock) while the conversation is created, then linking stops.
    const holder = new pg.Client({ connectionString: system.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE linking.conversations IN EXCLUSIVE MODE');
    await sendInbound(system, 'acme', '+15551110010', 'before-the-stop');
    await eventually(() => created()[0], 'the conversation created');
    await system.stopService('linking-service', 'SIGKILL');
    await holder.query('ROLLBACK');
    await holder.end();
    await system.startService('linking-service', { KITE_REBUILD: '1' });
    const next = await sendInbound(system, 'acme', '+15551110010', 'after-the-rebuild');
    const appended = await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === next)[0], 'the next message appended');
    expect(data<{ conversationId: string }>(appended).conversationId).toBe(data<{ conversationId: string }>(created()[0]!).conversationId);
    await settle(300);
    expect(created()).toHaveLength(1);
  });

  it('linking-service: a number moved while linking was stopped detaches its conversations once the rebuild has rebuilt them, each once (L6)', async () => {
    const onSales = system.outboundOf('ConversationCreated', (e) => data<{ serviceId: string }>(e).serviceId === 'svc-sales').map((e) => data<{ conversationId: string }>(e).conversationId);
    expect(onSales.length).toBeGreaterThan(2);
    const directory = await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [{ number: NUMBER, channels: ['sms', 'whatsapp'] }],
      services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana'], dialplan: {} }, { id: 'svc-care', name: 'Care', agentIds: ['ag-bruno'], dialplan: {} }],
      agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }],
      bots: [{ id: 'bot-1', name: 'Bot' }],
    });
    expect([directory.status, directory.body]).toEqual([200, expect.anything()]);
    await system.stopService('linking-service');
    const moved = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, { linkedServiceId: 'svc-care', workingHours: { routing: { type: 'group', serviceId: 'svc-care' }, schedule: { timeZone: 'UTC', rules: [] } } });
    expect(moved.status).toBe(200);
    await system.startService('linking-service', { KITE_REBUILD: '1' });
    const detached = () => system.outboundOf('ConversationDetached').map((e) => data<{ conversationId: string }>(e).conversationId);
    await eventually(() => onSales.every((c) => detached().includes(c)), `the ${onSales.length} conversations of svc-sales detached`);
    await settle(500);
    expect(detached().sort()).toEqual([...onSales].sort());
  });
});
