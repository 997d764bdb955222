import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';

/** L1–L6 and O1–O2 through the public contract, and the conversation API. */
const N1 = '+15550000001'; // sms + whatsapp, svc-a
const N2 = '+15550000002'; // sms, svc-a
const N3 = '+15550000003'; // sms, not configured
const LEGACY = '+15550000009'; // svc-c's dialplan SMS number, outside the directory
const N4 = '+15550000004'; // sms, svc-b
const N5 = '+15550000005'; // sms, configured by its test
const N6 = '+15550000006'; // sms, linked to svc-e by its test
const ana = { kind: 'agent', id: 'ag-ana' } as const;

describe('linking and outbound', () => {
  let system: TestSystem;
  let n = 0;
  const data = <T>(e: AnyEnvelope) => e.data as T;
  const effect = (type: string, cause: string) => eventually(() => system.outboundOf(type, (e) => e.correlationId === cause)[0], `${type} caused by ${cause}`);

  async function inbound(from: string, to: string, channel: 'sms' | 'whatsapp' = 'sms', messageId = `in-${++n}`): Promise<string> {
    const event = makeEvent('MessageReceived', 'acme', { messageId, channel, from, to, text: `hello ${n}`, receivedAt: new Date(Date.now() + n).toISOString() });
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    return event.id;
  }
  async function call(contact: string, serviceId: string, number?: string): Promise<string> {
    const event = makeEvent('CallEnded', 'acme', { callId: `call-${++n}`, contact, serviceId, ...(number ? { number } : {}), agentIds: ['ag-ana'], direction: 'inbound', startedAt: new Date(Date.now() - 60_000).toISOString(), endedAt: new Date().toISOString() });
    await system.publish(subjects.inbound('acme', 'CallEnded'), event);
    return event.id;
  }
  async function reply(conversationId: string, messageId = `out-${++n}`): Promise<string> {
    const event = makeEvent('ChatMessageSent', 'acme', { conversationId, messageId, sender: ana, text: 'On it', sentAt: new Date().toISOString() });
    await system.publish(subjects.inbound('acme', 'ChatMessageSent'), event);
    return event.id;
  }
  async function request(contact: string, serviceId: string, agentId: string, channel: 'sms' | 'whatsapp' = 'sms'): Promise<string> {
    const event = makeEvent('ConversationRequested', 'acme', { requestId: `req-${++n}`, agentId, contact, serviceId, channel });
    await system.publish(subjects.inbound('acme', 'ConversationRequested'), event);
    return event.id;
  }
  const conversationOf = async (cause: string, type = 'ContactMessageAppended') => data<{ conversationId: string }>(await effect(type, cause)).conversationId;
  const outcomeOf = (cause: string) => eventually(() => system.outbound.find((e) => e.correlationId === cause && e.type.startsWith('OutboundMessage')), `the outbound outcome of ${cause}`);

  beforeAll(async () => {
    system = await TestSystem.start();
    const ok = (r: { status: number; body: unknown }) => expect([r.status, r.body]).toEqual([200, expect.anything()]);
    ok(await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [{ number: N1, channels: ['sms', 'whatsapp'] }, { number: N2, channels: ['sms'] }, { number: N3, channels: ['sms'] }, { number: N4, channels: ['sms'] }, { number: N5, channels: ['sms'] }, { number: N6, channels: ['sms'] }],
      services: [
        { id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} },
        { id: 'svc-b', name: 'B', agentIds: ['ag-bruno'], dialplan: {} },
        { id: 'svc-c', name: 'C', agentIds: ['ag-carla'], dialplan: { smsNumber: LEGACY } },
        { id: 'svc-d', name: 'D', agentIds: [], dialplan: {} },
        { id: 'svc-e', name: 'E', agentIds: [], dialplan: {} },
      ],
      agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }, { id: 'ag-carla', name: 'Carla' }],
      bots: [],
    }));
    const always = (serviceId: string) => ({ linkedServiceId: serviceId, workingHours: { routing: { type: 'group', serviceId }, schedule: { timeZone: 'UTC', rules: [] } } });
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N1)}`, always('svc-a')));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N2)}`, always('svc-a')));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N4)}`, always('svc-b')));
    await system.untilConfigApplied();
  });
  afterAll(async () => system?.stop());

  it('L1 two spellings of one contact number are one conversation', async () => {
    const first = await inbound('+1 (555) 301-0001', N1);
    const second = await inbound('+15553010001', N1);
    expect(data<{ contact: string }>(await effect('ConversationCreated', first)).contact).toBe('+15553010001');
    expect(await conversationOf(second)).toBe(await conversationOf(first));
    await settle(300);
    expect(system.outboundOf('ConversationCreated', (e) => e.correlationId === second)).toHaveLength(0);
  });

  it('L2 a message for a number configured a moment ago waits for the configuration to reach linking instead of being rejected', async () => {
    // Linking's configuration consumer is held back: its transaction waits for this lock (every
    // applied change bumps config_version), while reads of the read model go on.
    const holder = new pg.Client({ connectionString: system.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE linking.config_version IN EXCLUSIVE MODE');
      const saved = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N5)}`, { linkedServiceId: 'svc-b', workingHours: { routing: { type: 'group', serviceId: 'svc-b' }, schedule: { timeZone: 'UTC', rules: [] } } });
      expect(saved.status).toBe(200);
      const first = await inbound('+15553010101', N5);
      await settle(1_500);
      expect(system.outbound.filter((e) => e.correlationId === first)).toEqual([]);
      await holder.query('COMMIT');
      expect(data(await effect('ConversationCreated', first))).toMatchObject({ serviceId: 'svc-b', number: N5, contact: '+15553010101' });
      expect(system.outboundOf('MessageRejected', (e) => e.correlationId === first)).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('L4 a call then an SMS from the same contact are one conversation, history in time order', async () => {
    const called = await call('+15553020002', 'svc-a', N1);
    const created = data<{ conversationId: string; origin: string; channel: string }>(await effect('ConversationCreated', called));
    expect(created).toMatchObject({ origin: 'call', channel: 'call' });
    await effect('CallAppended', called);
    const sms = await inbound('+15553020002', N1);
    expect(await conversationOf(sms)).toBe(created.conversationId);
    expect(data<{ channel: string }>(await effect('ConversationLinked', sms)).channel).toBe('sms');
    const timeline = await eventually(async () => {
      const view = await system.api('acme', 'GET', `/v1/conversations/${created.conversationId}`, undefined, { service: 'linking-service', role: 'viewer' });
      const items = view.status === 200 && (view.body as { timeline: { kind: string }[] }).timeline;
      return items && items.length === 2 && items;
    }, 'the call and the message in the view');
    expect(timeline.map((i) => i.kind)).toEqual(['call', 'contact_message']);
  });

  it('L5 an agent\'s create conversation joins the existing one, or creates it with the agent first', async () => {
    const existing = await conversationOf(await inbound('+15553030003', N1));
    const join = await request('+15553030003', 'svc-a', 'ag-carla');
    expect(data(await effect('MembersAdded', join))).toEqual({ conversationId: existing, members: [{ kind: 'agent', id: 'ag-carla' }], reason: 'create', silent: false });
    const fresh = await request('+15553030004', 'svc-a', 'ag-carla');
    expect(data(await effect('ConversationCreated', fresh))).toMatchObject({ origin: 'agent', number: N1, channel: 'sms', contact: '+15553030004' });
    expect(data<{ reason: string }>(await effect('MembersAdded', fresh)).reason).toBe('create');
    const unknown = await request('+15553030005', 'svc-zzz', 'ag-bruno');
    expect(data<{ reason: string }>(await effect('ConversationRequestRejected', unknown)).reason).toBe('unknown_service');
  });

  it('L5 O1 on a service no number can send for, the conversation is created without a number, the agent first; its first message is refused with no_route; once a number is linked, the contact joins it there and replies leave from it', async () => {
    const created = await request('+15553030006', 'svc-e', 'ag-bruno', 'whatsapp');
    const conversation = data<{ conversationId: string; number?: string }>(await effect('ConversationCreated', created));
    expect(conversation).toEqual({ conversationId: expect.any(String), contact: '+15553030006', serviceId: 'svc-e', channel: 'whatsapp', origin: 'agent' });
    expect(data(await effect('MembersAdded', created))).toMatchObject({ members: [{ kind: 'agent', id: 'ag-bruno' }], reason: 'create' });
    expect(data(await outcomeOf(await reply(conversation.conversationId)))).toMatchObject({ conversationId: conversation.conversationId, reason: 'no_route' });

    const linked = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N6)}`, { linkedServiceId: 'svc-e', workingHours: { routing: { type: 'group', serviceId: 'svc-e' }, schedule: { timeZone: 'UTC', rules: [] } } });
    expect(linked.status).toBe(200);
    await system.untilConfigApplied();
    const contactWrites = await inbound('+15553030006', N6);
    expect(await conversationOf(contactWrites)).toBe(conversation.conversationId);
    expect(data(await effect('ConversationLinked', contactWrites))).toEqual({ conversationId: conversation.conversationId, channel: 'sms', number: N6 });
    expect(data(await outcomeOf(await reply(conversation.conversationId)))).toMatchObject({ conversationId: conversation.conversationId, channel: 'sms', from: N6, route: 'number_configuration' });
  });

  it('O1 O2 an agent reply leaves from the conversation\'s number, named as number_configuration, once per message id', async () => {
    const conversationId = await conversationOf(await inbound('+15553040004', N2));
    const first = await reply(conversationId, 'agent-msg-1');
    expect(data(await outcomeOf(first))).toMatchObject({ conversationId, messageId: 'agent-msg-1', channel: 'sms', from: N2, to: '+15553040004', route: 'number_configuration' });
    const again = await reply(conversationId, 'agent-msg-1');
    await settle(800);
    expect(system.outbound.filter((e) => e.correlationId === again && e.type.startsWith('OutboundMessage'))).toHaveLength(0);
    expect(system.outbound.filter((e) => e.type === 'OutboundMessageRequested' && data<{ messageId: string }>(e).messageId === 'agent-msg-1')).toHaveLength(1);
  });

  it('L4 calls arriving together: repeats of one contact join the conversation the first creates, and a call no number can serve still makes its conversation', async () => {
    const first = await call('+15553090009', 'svc-a', N2);
    const again = await call('+15553090009', 'svc-a', N2);
    const numberless = await call('+15553090019', 'svc-d');
    const other = await call('+15553090029', 'svc-a', N1);
    const conversation = await conversationOf(first, 'CallAppended');
    expect(await conversationOf(again, 'CallAppended')).toBe(conversation);
    expect(await conversationOf(other, 'CallAppended')).not.toBe(conversation);
    expect(data(await effect('ConversationCreated', numberless))).toEqual({ conversationId: await conversationOf(numberless, 'CallAppended'), contact: '+15553090019', serviceId: 'svc-d', channel: 'call', origin: 'call' });
    await settle(300);
    expect(system.outbound.filter((e) => e.type === 'ConversationCreated' && [first, again].includes(e.correlationId!))).toHaveLength(1);
    expect(system.deadLetters.filter((d) => d.body.payload?.includes('+15553090019'))).toEqual([]);
  });

  it('O1 without a number of its own, the lowest configured number of the service; then the dialplan; else no_route', async () => {
    const viaCall = await conversationOf(await call('+15553050005', 'svc-a'), 'CallAppended');
    expect(data(await outcomeOf(await reply(viaCall)))).toMatchObject({ from: N1, route: 'number_configuration', channel: 'sms' });
    const dialplan = await conversationOf(await call('+15553050006', 'svc-c', N3), 'CallAppended');
    expect(data(await outcomeOf(await reply(dialplan)))).toMatchObject({ from: LEGACY, route: 'dialplan' });
    const nothing = await conversationOf(await call('+15553050007', 'svc-d', N3), 'CallAppended');
    expect(data(await outcomeOf(await reply(nothing)))).toMatchObject({ reason: 'no_route' });
  });

  it('L6 changing a number\'s linked service detaches its conversations, refuses their outbound, and sends the next message to the new service', async () => {
    const before = await conversationOf(await inbound('+15553060006', N4));
    const moved = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(N4)}`, { linkedServiceId: 'svc-c', workingHours: { routing: { type: 'group', serviceId: 'svc-c' }, schedule: { timeZone: 'UTC', rules: [] } } });
    expect(moved.status).toBe(200);
    const detached = await eventually(() => system.outboundOf('ConversationDetached', (e) => data<{ conversationId: string }>(e).conversationId === before)[0], 'ConversationDetached');
    expect(data(detached)).toEqual({ conversationId: before, number: N4, reason: 'linked_service_changed' });
    expect(data(await outcomeOf(await reply(before)))).toMatchObject({ conversationId: before, reason: 'linked_service_changed' });
    await system.untilConfigApplied();
    const next = await inbound('+15553060006', N4);
    expect(data(await effect('ConversationCreated', next))).toMatchObject({ serviceId: 'svc-c', contact: '+15553060006' });
  });

  it('the conversation API pages through the timeline and hides other tenants\' conversations', async () => {
    const conversationId = await conversationOf(await inbound('+15553070007', N1));
    for (let i = 0; i < 4; i++) await conversationOf(await inbound('+15553070007', N1));
    const route = `/v1/conversations/${conversationId}`;
    await eventually(async () => ((await system.api('acme', 'GET', route, undefined, { service: 'linking-service' })).body as { timeline?: unknown[] }).timeline?.length === 5, 'the five messages in the view');
    const page1 = (await system.api('acme', 'GET', `${route}?limit=2`, undefined, { service: 'linking-service' })).body as { timeline: { text: string }[]; nextCursor: string; members: unknown[] };
    expect(page1.timeline).toHaveLength(2);
    const page2 = (await system.api('acme', 'GET', `${route}?limit=2&after=${page1.nextCursor}`, undefined, { service: 'linking-service' })).body as { timeline: { text: string }[]; nextCursor: string };
    const page3 = (await system.api('acme', 'GET', `${route}?limit=2&after=${page2.nextCursor}`, undefined, { service: 'linking-service' })).body as { timeline: unknown[]; nextCursor?: string };
    expect([...page1.timeline, ...page2.timeline, ...page3.timeline]).toHaveLength(5);
    expect(page3.nextCursor).toBeUndefined();
    await eventually(async () => ((await system.api('acme', 'GET', route, undefined, { service: 'linking-service' })).body as { members: unknown[] }).members.length === 1, 'the group in the members');
    expect((await system.api('other', 'GET', route, undefined, { service: 'linking-service' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${system.ports['linking-service']}${route}`)).status).toBe(401);
  });

  it('L1 50 concurrent first messages from one contact, on two linking instances, make exactly one conversation', async () => {
    await system.startExtraInstance('linking-service');
    const causes = await Promise.all(Array.from({ length: 50 }, (_, i) => inbound('+15553080008', i % 2 ? N1 : N2, 'sms', `burst-${i}`)));
    const conversations = await Promise.all(causes.map((c) => conversationOf(c)));
    expect(new Set(conversations).size).toBe(1);
    await settle(500);
    expect(system.outboundOf('ConversationCreated', (e) => data<{ contact: string }>(e).contact === '+15553080008')).toHaveLength(1);
  });
});
