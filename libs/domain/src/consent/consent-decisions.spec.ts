import { describe, expect, it } from '@jest/globals';
import { ConsentSettings, makeEvent, type ConsentChange, type ConversationEvent, type MessageReceived } from '@kite/contracts';
import { actions } from '../actions/actions.decider.js';
import { activityFactOf } from '../actions/activity.js';
import { given, stateAfter } from '../decider.js';
import { conversationIdFor } from '../linking/conversation-id.js';
import { decideInbound } from '../linking/linking.decide.js';
import type { NumberRoute } from '../linking/linking.js';
import { messageToSend, outbound } from '../outbound/outbound.decider.js';
import type { OutboundContext } from '../outbound/outbound.decide.js';
import { decideRouting } from '../routing/routing.decide.js';
import { initialRoutingConversation } from '../routing/routing.js';
import type { OrderedConsentChange } from './consent.js';
import { DEFAULT_REPLIES } from './keywords.js';
import { consentOfProviderReport } from './provider-opt-out.js';

const TENANT = 'acme';
const CONTACT = '+15557654321';
const NUMBER = '+15551234567';
const SERVICE = 'sales';
const CONVERSATION = conversationIdFor(TENANT, CONTACT, SERVICE);
const AT = '2026-11-24T12:00:00.000Z';
const route: NumberRoute = { number: NUMBER, channels: ['sms', 'whatsapp'], status: 'configured', linkedServiceId: SERVICE };

const inbound = (text: string, messageId = 'provider-1', channel: 'sms' | 'whatsapp' = 'sms'): MessageReceived =>
  makeEvent('MessageReceived', TENANT, { messageId, channel, from: CONTACT, to: NUMBER, text, receivedAt: AT }, { id: `EVT${messageId.toUpperCase().replace(/-/g, '')}0000000000` });
const decide = (text: string, settings?: ConsentSettings, messageId?: string) => {
  const decision = decideInbound(inbound(text, messageId), route, { status: 'none' }, 'current', settings);
  if (decision.kind !== 'appended') throw new Error(`expected the message appended, got ${decision.kind}`);
  return decision;
};

describe('P1 P4 P5 a keyword message, as linking decides it', () => {
  it('P1 P4 P5 STOP is appended marked, records an opt-out on the number it was sent to, and is confirmed once from that number', () => {
    const decision = decide('Stop.');
    expect(decision.events.map((e) => e.type)).toEqual(['ConversationCreated', 'ContactMessageAppended', 'OutboundMessageRequested']);
    expect(decision.events[1]!.data).toMatchObject({ text: 'Stop.', keyword: 'opt_out' });
    expect(decision.events[2]!.data).toMatchObject({ conversationId: CONVERSATION, channel: 'sms', from: NUMBER, to: CONTACT, text: DEFAULT_REPLIES.optOut, purpose: 'opt_out_confirmation' });
    expect(decision.consent?.data).toEqual({ contact: CONTACT, status: 'opted_out', number: NUMBER, source: 'keyword', at: AT, messageId: 'provider-1', keyword: 'STOP' });
  });

  it('P4 the same keyword message decided again decides the same ids: one confirmation, one change (once per keyword message)', () => {
    const [first, again] = [decide('STOP'), decide('STOP')];
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(again.consent!.id).toBe(first.consent!.id);
    expect(decide('STOP', undefined, 'provider-2').consent!.id).not.toBe(first.consent!.id);
  });

  it('P1 P4 START records an opt-in and is confirmed; HELP is answered and changes no consent', () => {
    const started = decide('start');
    expect(started.consent?.data).toMatchObject({ status: 'opted_in', keyword: 'START' });
    expect(started.events.at(-1)!.data).toMatchObject({ text: DEFAULT_REPLIES.optIn, purpose: 'opt_in_confirmation' });
    const help = decide('HELP');
    expect(help.consent).toBeUndefined();
    expect(help.events.at(-1)!.data).toMatchObject({ text: DEFAULT_REPLIES.help, purpose: 'help_reply' });
  });

  it("P1 P4 a tenant's keyword in its language, answered with that language's text", () => {
    const settings = ConsentSettings.parse({ languages: [{ language: 'es', optOut: ['baja'], replies: { optOut: 'Te has dado de baja.' } }] });
    const decision = decide('BAJA', settings);
    expect(decision.consent?.data).toMatchObject({ status: 'opted_out', keyword: 'BAJA' });
    expect(decision.events.at(-1)!.data).toMatchObject({ text: 'Te has dado de baja.' });
  });

  it('P1 a STOP to a number that routes nothing is rejected (L2) and still recorded; no conversation, so no confirmation', () => {
    const decision = decideInbound(inbound('STOP'), undefined, { status: 'none' }, 'current');
    expect(decision.kind).toBe('rejected');
    expect(decision.kind === 'rejected' && decision.consent?.data).toMatchObject({ contact: CONTACT, status: 'opted_out', number: NUMBER, source: 'keyword' });
    expect(decision.kind === 'rejected' && decision.events.map((e) => e.type)).toEqual(['MessageRejected']);
  });

  it('P1 an ordinary message is appended unmarked, with no reply and no change', () => {
    const decision = decide('please stop calling me at work');
    expect(decision.events.map((e) => e.type)).toEqual(['ConversationCreated', 'ContactMessageAppended']);
    expect(decision.events[1]!.data).not.toHaveProperty('keyword');
    expect(decision.consent).toBeUndefined();
  });
});

describe('P5 a keyword message arms no action and asks no bot', () => {
  const appended = (keyword?: 'opt_out') =>
    makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: 'm1', channel: 'whatsapp', contact: CONTACT, number: NUMBER, serviceId: SERVICE, text: 'STOP', receivedAt: AT, ...(keyword ? { keyword } : {}) });
  const noReply = [{ period: 'working_hours' as const, action: { id: 'nudge', onlyOnce: false, conditions: [{ type: 'no_reply' as const, afterSeconds: 60 }], task: { type: 'add_members' as const, agentIds: ['sam'] } } }];

  it('P5 the actions see a keyword message only as opening the WhatsApp window', () => {
    const fact = activityFactOf(appended('opt_out'), () => 'working_hours')!;
    expect(fact.type).toBe('keyword_message');
    const state = stateAfter(actions, [fact]);
    expect(state.contactMessages).toEqual([]);
    expect(state.whatsappWindowUntil).toBe(Date.parse(AT) + 86_400_000);
    expect(given(actions, [fact]).when({ type: 'FireTimer', tenant: TENANT, conversationId: CONVERSATION, actions: noReply, now: Date.parse(AT) + 61_000, actionId: 'nudge' })).toEqual([]);
  });

  it('P3 P5 routing adds its members but asks no bot to reply to a keyword, nor to anything from a contact who opted out', () => {
    const configuration = { linkedServiceId: SERVICE, workingHours: { routing: { type: 'bot' as const, botId: 'helper' }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] } };
    const context = { configuration, groupAgents: () => [] };
    expect(decideRouting(appended(), initialRoutingConversation(), context).map((e) => e.type)).toEqual(['MembersAdded', 'BotReplyRequested']);
    expect(decideRouting(appended('opt_out'), initialRoutingConversation(), context).map((e) => e.type)).toEqual(['MembersAdded']);
    expect(decideRouting(appended(), initialRoutingConversation(), { ...context, contactOptedOut: true }).map((e) => e.type)).toEqual(['MembersAdded']);
  });
});

describe("P3 messages to a contact who opted out: given(events).when(message).then(decision)", () => {
  const created = makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: CONTACT, serviceId: SERVICE, channel: 'sms', number: NUMBER, origin: 'inbound' });
  const ordered = (status: ConsentChange['status'], at: string, seq: number): OrderedConsentChange => ({ change: { contact: CONTACT, status, number: NUMBER, source: 'keyword', at }, seq });
  const context = (changes: OrderedConsentChange[]): OutboundContext => ({ numbers: [{ number: NUMBER, channels: ['sms'], status: 'configured', linkedServiceId: SERVICE }], consent: { scope: 'number', changes } });
  const agentSays = (messageId: string): ConversationEvent => makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId, sender: { kind: 'agent', id: 'alice' }, text: 'Hello?', sentAt: AT });
  const botAsked = makeEvent('BotMessageRequested', TENANT, { conversationId: CONVERSATION, botId: 'helper', text: 'Still there?', actionId: 'nudge' }, { id: 'EVTBOTASKED' });

  it("P3 an agent's and an action's message are refused with opted_out, saying why", () => {
    const optedOut = context([ordered('opted_out', '2026-11-24T11:00:00Z', 1)]);
    for (const event of [agentSays('a-1'), botAsked]) {
      const [decision] = given(outbound, [created]).when({ tenant: TENANT, message: messageToSend(event)!, context: optedOut, now: Date.parse(AT) });
      expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'opted_out' } });
      expect(decision!.type === 'OutboundMessageRejected' && decision!.data.detail).toContain(`opted out of messages from ${NUMBER}`);
    }
  });

  it("P2 P3 under the service scope, the service's dialplan number is the service's: an opt-out on its number bars it", () => {
    const DIALPLAN = '+15550009999';
    const viaDialplan: OutboundContext = { numbers: [{ number: NUMBER, channels: ['whatsapp'], status: 'configured', linkedServiceId: SERVICE }], dialplanSmsNumber: DIALPLAN, consent: { scope: 'service', changes: [ordered('opted_out', '2026-11-24T11:00:00Z', 1)] } };
    const [decision] = given(outbound, [created]).when({ tenant: TENANT, message: messageToSend(agentSays('a-3'))!, context: viaDialplan, now: Date.parse(AT) });
    expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'opted_out' } });
  });

  it('P3 after an opt-in, messages leave again', () => {
    const optedIn = context([ordered('opted_out', '2026-11-24T11:00:00Z', 1), ordered('opted_in', '2026-11-24T11:30:00Z', 2)]);
    const [decision] = given(outbound, [created]).when({ tenant: TENANT, message: messageToSend(agentSays('a-2'))!, context: optedIn, now: Date.parse(AT) });
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { from: NUMBER } });
  });
});

describe('P7 an opt-out the provider reports', () => {
  it('P7 is recorded with source provider, its code, and an id that derives from the report', () => {
    const report = makeEvent('ContactOptedOut', TENANT, { contact: CONTACT, number: NUMBER, providerCode: '21610', at: AT }, { id: 'EVTREPORT00000000000000001' });
    const change = consentOfProviderReport(report);
    expect(change.data).toEqual({ contact: CONTACT, status: 'opted_out', number: NUMBER, source: 'provider', at: AT, providerCode: '21610' });
    expect(consentOfProviderReport(report).id).toBe(change.id);
  });
});
