import { describe, expect, it } from '@jest/globals';
import { makeEvent, type TemplateRef } from '@kite/contracts';
import { given } from '../decider.js';
import type { OutboundContext } from './outbound.decide.js';
import { messageToSend, outbound, type SendMessage } from './outbound.decider.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
const CONTACT = '+15557654321';
const SMS_NUMBER = '+15551230001';
const WA_NUMBER = '+15551230002';
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const iso = (at: number) => new Date(at).toISOString();

const context: OutboundContext = {
  numbers: [
    { number: SMS_NUMBER, channels: ['sms'], status: 'configured', linkedServiceId: 'sales' },
    {
      number: WA_NUMBER,
      channels: ['whatsapp'],
      status: 'configured',
      linkedServiceId: 'sales',
      templates: [{ name: 'follow_up', language: 'en_US', category: 'utility', body: 'Hi {{1}}, shall we go on with case {{2}}?' }],
    },
  ],
};
const createdOnWhatsApp = makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: CONTACT, serviceId: 'sales', channel: 'whatsapp', number: WA_NUMBER, origin: 'inbound' });
const wrote = (channel: 'sms' | 'whatsapp', at: number) =>
  makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: `in-${channel}-${at}`, channel, contact: CONTACT, number: channel === 'sms' ? SMS_NUMBER : WA_NUMBER, serviceId: 'sales', text: 'hi', receivedAt: iso(at) });
const linkedSms = makeEvent('ConversationLinked', TENANT, { conversationId: CONVERSATION, channel: 'sms', number: SMS_NUMBER });
const agentSays = (messageId: string, at: number, template?: TemplateRef) =>
  makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId, sender: { kind: 'agent', id: 'alice' }, text: 'On it', sentAt: iso(at), ...(template ? { template } : {}) });
const send = (event: Parameters<typeof messageToSend>[0], now = messageToSend(event)!.at): SendMessage => ({ tenant: TENANT, message: messageToSend(event)!, context, now });
const followUp = (parameters: string[]): TemplateRef => ({ name: 'follow_up', language: 'en_US', parameters });

describe('W2 W3 outbound over WhatsApp: given(events).when(message).then(decision)', () => {
  it('W2 given the contact wrote on WhatsApp within 24 hours, when an agent writes free-form, then it leaves', () => {
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0)]).when(send(agentSays('a-1', T0 + 23 * HOUR)));
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { channel: 'whatsapp', from: WA_NUMBER, text: 'On it' } });
    expect(decision!.data).not.toHaveProperty('template');
  });

  it('W2 given the window closed, when an agent writes free-form, then it is refused with whatsapp_window_closed and why', () => {
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0)]).when(send(agentSays('a-2', T0 + 24 * HOUR)));
    expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { messageId: 'a-2', reason: 'whatsapp_window_closed' } });
    expect(decision!.type === 'OutboundMessageRejected' && decision!.data.detail).toContain('the window closed at 2026-11-25T10:00:00.000Z');
  });

  it('W2 a message decided after the window closed is refused, though written while it was open (a backlog, a skewed clock)', () => {
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0)]).when(send(agentSays('a-late', T0 + 23 * HOUR), T0 + 24 * HOUR));
    expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'whatsapp_window_closed' } });
  });

  it('W2 given a conversation the contact never wrote to on WhatsApp, when an agent writes free-form over WhatsApp, then it is refused', () => {
    const [decision] = given(outbound, [createdOnWhatsApp]).when(send(agentSays('a-3', T0)));
    expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'whatsapp_window_closed' } });
  });

  it('W1 W2 given the contact then wrote by SMS, when an agent writes, then it leaves over SMS whatever the WhatsApp window', () => {
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0), linkedSms, wrote('sms', T0 + 30 * HOUR)]).when(send(agentSays('a-4', T0 + 30 * HOUR)));
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { channel: 'sms', from: SMS_NUMBER, text: 'On it' } });
  });

  it('W3 given the window closed, when an agent sends an approved template, then it leaves with the template and its body filled in', () => {
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0)]).when(send(agentSays('a-5', T0 + 48 * HOUR, followUp(['Ana', 'K-7']))));
    expect(decision).toMatchObject({
      type: 'OutboundMessageRequested',
      data: { channel: 'whatsapp', from: WA_NUMBER, text: 'Hi Ana, shall we go on with case K-7?', template: followUp(['Ana', 'K-7']) },
    });
  });

  it('W3 an unknown template, or one with the wrong number of parameters, is refused with its reason', () => {
    const history = [createdOnWhatsApp, wrote('whatsapp', T0)];
    const [unknown] = given(outbound, history).when(send(agentSays('a-6', T0 + HOUR, { name: 'welcome', language: 'en_US', parameters: [] })));
    const [short] = given(outbound, history).when(send(agentSays('a-7', T0 + HOUR, followUp(['Ana']))));
    expect(unknown).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'unknown_template', detail: `${WA_NUMBER} has no approved template welcome (en_US)` } });
    expect(short).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'template_parameters', detail: 'template follow_up (en_US) takes 2 parameter(s), not 1' } });
  });

  it("W4 given the window closed, when an action's fallback template must leave, then it leaves as that template", () => {
    const fallback = makeEvent('BotMessageRequested', TENANT, { conversationId: CONVERSATION, botId: 'helper', text: 'Still there?', actionId: 'nudge', template: followUp(['Ana', 'K-7']) }, { id: 'EVTBOTFALLBACK', occurredAt: iso(T0 + 25 * HOUR) });
    const [decision] = given(outbound, [createdOnWhatsApp, wrote('whatsapp', T0)]).when(send(fallback));
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { messageId: 'EVTBOTFALLBACK', text: 'Hi Ana, shall we go on with case K-7?', template: followUp(['Ana', 'K-7']) } });
  });
});
