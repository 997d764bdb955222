import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';

/** A1–A7 through the public contract: timers that fire after their time, and the tasks they run. */
const NO_REPLY = '+15550000001'; // no_reply 5 s → the bot posts (not onlyOnce)
const NOT_READ = '+15550000002'; // not_read 5 s → add Bruno
const ONCE = '+15550000003'; // no_reply 5 s → the bot posts, onlyOnce
const NIGHT_ONLY = '+15550000004'; // the action belongs to out-of-hours only
const bot = { kind: 'bot', id: 'bot-1' } as const;
const ana = { kind: 'agent', id: 'ag-ana' } as const;

describe('actions and durable timers', () => {
  let system: TestSystem;
  let n = 0;
  const of = (conversationId: string) => (e: AnyEnvelope) => (e.data as { conversationId?: string }).conversationId === conversationId;

  async function contactMessage(to: string, contact = `+1555400${String(++n).padStart(4, '0')}`): Promise<{ conversationId: string; sentAt: number; contact: string }> {
    const sentAt = Date.now();
    const event = makeEvent('MessageReceived', 'acme', { messageId: `m-${++n}`, channel: 'sms', from: contact, to, text: 'anyone?', receivedAt: new Date(sentAt).toISOString() });
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    const appended = await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === event.id)[0], 'the message on the timeline');
    return { conversationId: (appended.data as { conversationId: string }).conversationId, sentAt, contact };
  }
  const chat = (type: 'ChatMessageSent' | 'ChatMessageRead' | 'MemberRemoved', data: Record<string, unknown>) => system.publish(subjects.inbound('acme', type), makeEvent(type, 'acme', data as never));
  const fired = (conversationId: string) => system.outboundOf('TimerFired', of(conversationId));

  beforeAll(async () => {
    system = await TestSystem.start();
    const ok = (r: { status: number; body: unknown }) => expect([r.status, r.body]).toEqual([200, expect.anything()]);
    ok(await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [NO_REPLY, NOT_READ, ONCE, NIGHT_ONLY].map((number) => ({ number, channels: ['sms'] })),
      services: [{ id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} }],
      agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }],
      bots: [{ id: 'bot-1', name: 'Bot' }],
    }));
    const config = (actions: unknown[], outOfHoursActions: unknown[] = []) => ({
      linkedServiceId: 'svc-a',
      workingHours: { routing: { type: 'group', serviceId: 'svc-a' }, schedule: { timeZone: 'UTC', rules: [{ days: 'everyday', from: '00:00', to: '00:00' }] }, actions },
      outOfHours: { routing: { type: 'group', serviceId: 'svc-a' }, actions: outOfHoursActions },
    });
    const sendAfter = (onlyOnce: boolean) => ({ id: 'greet', onlyOnce, conditions: [{ type: 'no_reply', afterSeconds: 5 }], task: { type: 'send_message', botId: 'bot-1', text: 'We will get back to you.' } });
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NO_REPLY)}`, config([sendAfter(false)])));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NOT_READ)}`, config([{ id: 'escalate', conditions: [{ type: 'not_read', afterSeconds: 5 }], task: { type: 'add_members', agentIds: ['ag-bruno'] } }])));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(ONCE)}`, config([sendAfter(true)])));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NIGHT_ONLY)}`, config([], [sendAfter(false)])));
    await system.untilConfigApplied();
  });
  afterAll(async () => system?.stop());

  it('A2 A4 no_reply fires after its time and not before: the bot is added, then posts, and the text leaves over SMS', async () => {
    const c = await contactMessage(NO_REPLY);
    await settle(Math.max(0, c.sentAt + 4_000 - Date.now()));
    expect(fired(c.conversationId)).toHaveLength(0);
    const timer = await eventually(() => fired(c.conversationId)[0], 'TimerFired', 10_000);
    const { dueAt, firedAt } = timer.data as { dueAt: string; firedAt: string };
    expect(Date.parse(dueAt)).toBe(c.sentAt + 5_000);
    expect(Date.parse(firedAt)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    const added = await eventually(() => system.outboundOf('MembersAdded', (e) => of(c.conversationId)(e) && (e.data as { reason: string }).reason === 'action')[0], 'the bot added');
    expect((added.data as { members: unknown }).members).toEqual([bot]);
    const message = await eventually(() => system.outboundOf('BotMessageRequested', of(c.conversationId))[0], 'BotMessageRequested');
    expect(message.data).toMatchObject({ botId: 'bot-1', text: 'We will get back to you.', actionId: 'greet' });
    const out = await eventually(() => system.outboundOf('OutboundMessageRequested', of(c.conversationId))[0], 'the text leaving');
    expect(out.data).toMatchObject({ from: NO_REPLY, to: c.contact, text: 'We will get back to you.', route: 'number_configuration' });
  });

  it('A3 an agent reply that comes first cancels no_reply', async () => {
    const c = await contactMessage(NO_REPLY);
    await chat('ChatMessageSent', { conversationId: c.conversationId, messageId: `agent-${n}`, sender: ana, text: 'Hi!', sentAt: new Date().toISOString() });
    await settle(Math.max(0, c.sentAt + 7_000 - Date.now()));
    expect(fired(c.conversationId)).toHaveLength(0);
  });

  it('A4 a bot removed by an agent is added again to send', async () => {
    const contact = '+15554100001';
    const first = await contactMessage(NO_REPLY, contact);
    await eventually(() => system.outboundOf('BotMessageRequested', of(first.conversationId))[0], 'the first run', 10_000);
    await chat('MemberRemoved', { conversationId: first.conversationId, member: bot, by: ana, reason: 'removed' });
    await settle(300);
    await contactMessage(NO_REPLY, contact);
    await eventually(() => (system.outboundOf('BotMessageRequested', of(first.conversationId)).length === 2 ? true : undefined), 'the second run', 10_000);
    const botAdds = system.outboundOf('MembersAdded', (e) => of(first.conversationId)(e) && (e.data as { reason: string }).reason === 'action');
    expect(botAdds.map((e) => (e.data as { members: unknown }).members)).toEqual([[bot], [bot]]);
  });

  it('A2 A5 not_read is cancelled by a read; unread, it adds the agents silently', async () => {
    const read = await contactMessage(NOT_READ);
    const unread = await contactMessage(NOT_READ);
    const messageId = `m-${n - 2}`;
    await chat('ChatMessageRead', { conversationId: read.conversationId, messageId, readerId: 'ag-ana', readAt: new Date().toISOString() });
    const added = await eventually(() => system.outboundOf('MembersAdded', (e) => of(unread.conversationId)(e) && (e.data as { reason: string }).reason === 'action')[0], 'Bruno added', 10_000);
    expect(added.data).toMatchObject({ members: [{ kind: 'agent', id: 'ag-bruno' }], reason: 'action', silent: true });
    await settle(1_000);
    expect(fired(read.conversationId)).toHaveLength(0);
  });

  it('A1 an action of the other period is not armed by a working-hours message', async () => {
    const c = await contactMessage(NIGHT_ONLY);
    await settle(Math.max(0, c.sentAt + 6_500 - Date.now()));
    expect(fired(c.conversationId)).toHaveLength(0);
  });

  it('A7 an action removed before its timer fires never runs', async () => {
    const contact = '+15554200002';
    const c = await contactMessage(ONCE, contact);
    expect((await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(ONCE)}`, {
      linkedServiceId: 'svc-a',
      workingHours: { routing: { type: 'group', serviceId: 'svc-a' }, schedule: { timeZone: 'UTC', rules: [] } },
    })).status).toBe(200);
    await settle(Math.max(0, c.sentAt + 7_000 - Date.now()));
    expect(fired(c.conversationId)).toHaveLength(0);
  });
});

describe('A6 A7 onlyOnce and durability across a crash of the scheduler', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { 'action-scheduler': { KITE_FAULT_INJECTION: 'scheduler:after-append' } } });
    await system.api('acme', 'PUT', '/v1/directory', { numbers: [{ number: ONCE, channels: ['sms'] }], services: [{ id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} }], agents: [{ id: 'ag-ana', name: 'Ana' }], bots: [{ id: 'bot-1', name: 'Bot' }] });
    const saved = await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(ONCE)}`, {
      linkedServiceId: 'svc-a',
      workingHours: { routing: { type: 'group', serviceId: 'svc-a' }, schedule: { timeZone: 'UTC', rules: [] }, actions: [{ id: 'once', onlyOnce: true, conditions: [{ type: 'no_reply', afterSeconds: 5 }], task: { type: 'send_message', botId: 'bot-1', text: 'Only once.' } }] },
    });
    expect(saved.status).toBe(200);
    await system.untilConfigApplied();
  });
  afterAll(async () => system?.stop());

  it('A6 A7 killed with SIGKILL between its append and its commit, the scheduler fires once after restart, and never again', async () => {
    const scheduler = system.services.get('action-scheduler')!;
    const send = async (i: number) => {
      const event = makeEvent('MessageReceived', 'acme', { messageId: `once-${i}`, channel: 'sms', from: '+15554300003', to: ONCE, text: 'hello?', receivedAt: new Date().toISOString() });
      await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
      return event.id;
    };
    await send(1);
    await eventually(() => scheduler.child.signalCode === 'SIGKILL' || undefined, 'the scheduler to die at its fault point', 15_000);
    await system.startService('action-scheduler');
    const requested = await eventually(() => system.outboundOf('BotMessageRequested')[0], 'the run after the restart', 10_000);
    const conversationId = (requested.data as { conversationId: string }).conversationId;
    await send(2);
    await settle(7_000);
    expect(system.outboundOf('BotMessageRequested', (e) => (e.data as { conversationId: string }).conversationId === conversationId)).toHaveLength(1);
    expect(system.outboundOf('TimerFired', (e) => (e.data as { conversationId: string }).conversationId === conversationId)).toHaveLength(1);
  });
});
