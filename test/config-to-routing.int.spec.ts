import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { makeEvent, subjects } from '@kite/contracts';
import { eventually, TestSystem } from '@kite/testing';

/** Configuration changes reach routing as events, and routing acts on them. */
const N1 = '+15550000001';
const N2 = '+15550000002';
const at = (n: string) => `/v1/numbers/${encodeURIComponent(n)}`;
const directory = (salesAgents: string[]) => ({
  numbers: [{ number: N1, channels: ['sms'] }, { number: N2, channels: ['sms'] }],
  services: [{ id: 'svc-sales', name: 'Sales', agentIds: salesAgents, dialplan: {} }, { id: 'svc-support', name: 'Support', agentIds: ['ag-carla'], dialplan: {} }],
  agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }, { id: 'ag-carla', name: 'Carla' }, { id: 'ag-dora', name: 'Dora' }],
  bots: [{ id: 'bot-1', name: 'Night bot' }],
});

describe('configuration → routing', () => {
  let system: TestSystem;
  let db: pg.Client;
  let contact = 15557000000;

  async function message(to: string): Promise<string> {
    const event = makeEvent('MessageReceived', 'acme', { messageId: `m-${contact}`, channel: 'sms', from: `+${++contact}`, to, text: 'hi', receivedAt: new Date().toISOString() });
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    return event.id;
  }
  const effect = (type: string, cause: string) => eventually(() => system.outboundOf(type, (e) => e.correlationId === cause)[0], `${type} caused by ${cause}`);

  beforeAll(async () => {
    system = await TestSystem.start();
    db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
    expect((await system.api('acme', 'PUT', '/v1/directory', directory(['ag-ana', 'ag-bruno']))).status).toBe(200);
    const saved = await system.api('acme', 'PUT', at(N1), {
      linkedServiceId: 'svc-sales',
      workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [{ days: 'everyday', from: '00:00', to: '00:00' }] } },
      outOfHours: { routing: { type: 'bot', botId: 'bot-1' } },
    });
    expect(saved.status).toBe(200);
    await system.untilConfigApplied();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('a directory change (a call group\'s agents) is visible to routing within one second and changes who is added', async () => {
    const started = Date.now();
    expect((await system.api('acme', 'PUT', '/v1/directory', directory(['ag-dora']))).status).toBe(200);
    await eventually(async () => {
      const rows = (await db.query(`SELECT agent_ids FROM routing.directory_services WHERE tenant = 'acme' AND service_id = 'svc-sales'`)).rows as { agent_ids: string[] }[];
      return rows[0]?.agent_ids.join() === 'ag-dora';
    }, 'routing to see the new agents', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const added = await effect('MembersAdded', await message(N1));
    expect((added.data as { members: unknown }).members).toEqual([{ kind: 'agent', id: 'ag-dora' }]);
  });

  it('a number configuration change is visible to routing within one second', async () => {
    const started = Date.now();
    const saved = await system.api('acme', 'PUT', at(N1), {
      linkedServiceId: 'svc-sales',
      workingHours: { routing: { type: 'agent', agentId: 'ag-bruno' }, schedule: { timeZone: 'UTC', rules: [] } },
    });
    expect(saved.status).toBe(200);
    await eventually(async () => {
      const rows = (await db.query(`SELECT configuration->'workingHours'->'routing'->>'agentId' AS agent FROM routing.number_configurations WHERE tenant = 'acme' AND number = $1`, [N1])).rows as { agent: string | null }[];
      return rows[0]?.agent === 'ag-bruno';
    }, 'routing to see the new configuration', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('C8 a migrated, partially configured number routes as its data says: to the call group', async () => {
    expect((await system.api('acme', 'POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-support', numbers: [N2] }] })).status).toBe(200);
    await system.untilConfigApplied();
    const cause = await message(N2);
    const created = await effect('ConversationCreated', cause);
    expect((created.data as { serviceId: string }).serviceId).toBe('svc-support');
    expect(((await effect('MembersAdded', cause)).data as { members: unknown }).members).toEqual([{ kind: 'agent', id: 'ag-carla' }]);
  });

  it('an emergency override `closed` beats the schedule: the out-of-hours bot is added and asked to reply', async () => {
    expect((await system.api('acme', 'PUT', at(N1), {
      linkedServiceId: 'svc-sales',
      workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [{ days: 'everyday', from: '00:00', to: '00:00' }] } },
      outOfHours: { routing: { type: 'bot', botId: 'bot-1' } },
    })).status).toBe(200);
    expect((await system.api('acme', 'PUT', `${at(N1)}/override`, { mode: 'closed' })).status).toBe(200);
    await eventually(async () => ((await db.query(`SELECT override FROM routing.number_configurations WHERE tenant = 'acme' AND number = $1`, [N1])).rows[0] as { override: unknown } | undefined)?.override, 'routing to see the override');
    const cause = await message(N1);
    expect(((await effect('MembersAdded', cause)).data as { members: unknown }).members).toEqual([{ kind: 'bot', id: 'bot-1' }]);
    expect(((await effect('BotReplyRequested', cause)).data as { botId: string }).botId).toBe('bot-1');
  });
});
