import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, TestSystem } from '@kite/testing';

/**
 * W1–W6 through the public contract. The contact's WhatsApp messages are dated in the past (their
 * `receivedAt`), so a window that closed and a day-long timer need no day of waiting.
 */
const WITH_FALLBACK = '+15550000011'; // no_reply 1 day → the bot sends, with a fallback template
const WITHOUT_FALLBACK = '+15550000012'; // no_reply 1 day → the bot sends, no fallback
const HOUR = 3_600_000;
const followUp = { name: 'follow_up', language: 'en_US', category: 'utility', body: 'Hi {{1}}, shall we go on?' };
const ana = { kind: 'agent', id: 'ag-ana' } as const;

describe('the WhatsApp window and templates', () => {
  let system: TestSystem;
  let n = 0;
  const of = (conversationId: string) => (e: AnyEnvelope) => (e.data as { conversationId?: string }).conversationId === conversationId;

  async function whatsAppFrom(contact: string, to: string, hoursAgo: number): Promise<string> {
    const event = makeEvent('MessageReceived', 'acme', { messageId: `wa-${++n}`, channel: 'whatsapp', from: contact, to, text: 'hello?', receivedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString() });
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    const appended = await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === event.id)[0], 'the message on the timeline');
    return (appended.data as { conversationId: string }).conversationId;
  }
  const agentSays = (conversationId: string, messageId: string, template?: unknown) =>
    system.publish(subjects.inbound('acme', 'ChatMessageSent'), makeEvent('ChatMessageSent', 'acme', { conversationId, messageId, sender: ana, text: 'Are you still there?', sentAt: new Date().toISOString(), ...(template ? { template } : {}) } as never));
  const outcome = (messageId: string) =>
    eventually(() => [...system.outboundOf('OutboundMessageRequested'), ...system.outboundOf('OutboundMessageRejected')].find((e) => (e.data as { messageId: string }).messageId === messageId), `the outcome of ${messageId}`);
  const conversation = async (conversationId: string) => (await system.api('acme', 'GET', `/v1/conversations/${conversationId}`, undefined, { service: 'linking-service', role: 'viewer' })).body as Record<string, unknown>;

  beforeAll(async () => {
    system = await TestSystem.start();
    const ok = (r: { status: number; body: unknown }) => expect([r.status, r.body]).toEqual([200, expect.anything()]);
    ok(await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [WITH_FALLBACK, WITHOUT_FALLBACK].map((number) => ({ number, channels: ['whatsapp'], templates: [followUp] })),
      services: [
        { id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} },
        { id: 'svc-b', name: 'B', agentIds: ['ag-ana'], dialplan: {} },
      ],
      agents: [{ id: 'ag-ana', name: 'Ana' }],
      bots: [{ id: 'bot-1', name: 'Bot' }],
    }));
    const config = (serviceId: string, fallbackTemplate?: unknown) => ({
      linkedServiceId: serviceId,
      workingHours: {
        routing: { type: 'group', serviceId },
        schedule: { timeZone: 'UTC', rules: [] },
        actions: [{ id: 'nudge', conditions: [{ type: 'no_reply', afterSeconds: 86_400 }], task: { type: 'send_message', botId: 'bot-1', text: 'Still there?', ...(fallbackTemplate ? { fallbackTemplate } : {}) } }],
      },
    });
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(WITH_FALLBACK)}`, config('svc-a', { name: 'follow_up', language: 'en_US', parameters: ['there'] })));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(WITHOUT_FALLBACK)}`, config('svc-b')));
    await system.untilConfigApplied();
  });
  afterAll(async () => system?.stop());

  it('W4 a no_reply action of a day fires after the window closed and sends its fallback template', async () => {
    const conversationId = await whatsAppFrom('+15554200001', WITH_FALLBACK, 25);
    const requested = await eventually(() => system.outboundOf('BotMessageRequested', of(conversationId))[0], 'the bot message', 10_000);
    expect(requested.data).toMatchObject({ actionId: 'nudge', template: { name: 'follow_up', language: 'en_US', parameters: ['there'] } });
    const out = await outcome(requested.id);
    expect(out.type).toBe('OutboundMessageRequested');
    expect(out.data).toMatchObject({ channel: 'whatsapp', from: WITH_FALLBACK, text: 'Hi there, shall we go on?', template: { name: 'follow_up' } });
  });

  it('W4 without a fallback the run is recorded as skipped, on the timeline, and nothing leaves', async () => {
    const conversationId = await whatsAppFrom('+15554200002', WITHOUT_FALLBACK, 25);
    const skipped = await eventually(() => system.outboundOf('ActionSkipped', of(conversationId))[0], 'the skipped run', 10_000);
    expect(skipped.data).toEqual({ conversationId, actionId: 'nudge', timerId: `${conversationId}:nudge`, reason: 'whatsapp_window_closed' });
    expect(system.outboundOf('TimerFired', of(conversationId))).toHaveLength(1);
    expect(system.outboundOf('BotMessageRequested', of(conversationId))).toEqual([]);
    // The view may not have the conversation yet when the skip is out (it reads in bursts): until then the body has no timeline.
    await eventually(async () => ((await conversation(conversationId)).timeline as { kind: string }[] | undefined)?.some((i) => i.kind === 'action_skipped'), 'the skip on the timeline');
  });

  it("W2 W3 W6 an agent's free-form message after 24 h is refused and shown; a template goes out; the conversation shows the window closed", async () => {
    const conversationId = await whatsAppFrom('+15554200003', WITHOUT_FALLBACK, 24.5);
    await agentSays(conversationId, 'late-free-form');
    const refused = await outcome('late-free-form');
    expect(refused.type).toBe('OutboundMessageRejected');
    expect(refused.data).toMatchObject({ conversationId, reason: 'whatsapp_window_closed' });
    await agentSays(conversationId, 'late-template', { name: 'follow_up', language: 'en_US', parameters: ['Ana'] });
    expect((await outcome('late-template')).data).toMatchObject({ channel: 'whatsapp', text: 'Hi Ana, shall we go on?', template: { name: 'follow_up', parameters: ['Ana'] } });
    await agentSays(conversationId, 'wrong-template', { name: 'follow_up', language: 'en_US', parameters: [] });
    expect((await outcome('wrong-template')).data).toMatchObject({ reason: 'template_parameters' });
    const view = await eventually(async () => {
      const found = await conversation(conversationId);
      return (found.timeline as { kind: string }[] | undefined)?.filter((i) => i.kind === 'outbound_rejected').length === 2 && found;
    }, 'the refusals on the timeline');
    expect(view.whatsappWindow).toEqual({ open: false, closedAt: expect.any(String) });
  });

  it('W1 W6 a new WhatsApp message reopens the window: free-form leaves again; simulate says so for the contact at an instant', async () => {
    const contact = '+15554200004';
    const conversationId = await whatsAppFrom(contact, WITHOUT_FALLBACK, 30);
    const simulate = async (at: Date) =>
      ((await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(WITHOUT_FALLBACK)}/simulate?contact=${encodeURIComponent(contact)}&at=${at.toISOString()}`, undefined, { role: 'viewer' })).body as { contact: { whatsapp: { freeForm: boolean; window: unknown } } }).contact.whatsapp;
    expect(await simulate(new Date())).toEqual({ freeForm: false, window: { open: false, closedAt: expect.any(String) } });
    await whatsAppFrom(contact, WITHOUT_FALLBACK, 0);
    expect(await simulate(new Date(Date.now() + HOUR))).toEqual({ freeForm: true, window: { open: true, until: expect.any(String) } });
    expect((await simulate(new Date(Date.now() + 25 * HOUR))).freeForm).toBe(false);
    await agentSays(conversationId, 'fresh-free-form');
    expect((await outcome('fresh-free-form')).data).toMatchObject({ channel: 'whatsapp', text: 'Are you still there?' });
    await eventually(async () => ((await conversation(conversationId)).whatsappWindow as { open: boolean } | undefined)?.open, 'the window open in the view');
  });
});
