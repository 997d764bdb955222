import { describe, expect, it } from '@jest/globals';
import { makeEvent, type ConversationEvent } from '@kite/contracts';
import { given } from '../decider.js';
import type { OutboundContext } from './outbound.decide.js';
import { messageToSend, outbound, type SendMessage } from './outbound.decider.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
const CONTACT = '+15557654321';
const SMS_NUMBER = '+15551230001';
const WA_NUMBER = '+15551230002';
const AT = '2026-11-24T10:00:00.000Z';

const context: OutboundContext = {
  numbers: [
    { number: SMS_NUMBER, channels: ['sms'], status: 'configured', linkedServiceId: 'sales' },
    { number: WA_NUMBER, channels: ['whatsapp'], status: 'configured', linkedServiceId: 'sales' },
  ],
};
const created = makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: CONTACT, serviceId: 'sales', channel: 'sms', number: SMS_NUMBER, origin: 'inbound' });
const linkedWhatsApp = makeEvent('ConversationLinked', TENANT, { conversationId: CONVERSATION, channel: 'whatsapp', number: WA_NUMBER });
const wrote = (channel: 'sms' | 'whatsapp', number: string) =>
  makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: `in-${channel}`, channel, contact: CONTACT, number, serviceId: 'sales', text: 'hi', receivedAt: AT });
const detached = (number: string) => makeEvent('ConversationDetached', TENANT, { conversationId: CONVERSATION, number, reason: 'linked_service_changed' });
const agentSays = (messageId: string) => makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId, sender: { kind: 'agent', id: 'alice' }, text: 'On it', sentAt: AT });
const send = (event: ConversationEvent): SendMessage => ({ tenant: TENANT, message: messageToSend(event)!, context, now: Date.parse(AT) });

describe('outbound as a decider: given(events).when(command).then(events)', () => {
  it('O1 given a conversation created on SMS, when an agent writes, then the message leaves over SMS from its number', () => {
    const [decision] = given(outbound, [created]).when(send(agentSays('a-1')));
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { messageId: 'a-1', channel: 'sms', from: SMS_NUMBER, to: CONTACT, route: 'number_configuration' } });
  });

  it('O1 given the contact last wrote on WhatsApp, when an agent writes, then it leaves over WhatsApp', () => {
    const [decision] = given(outbound, [created, linkedWhatsApp, wrote('whatsapp', WA_NUMBER)]).when(send(agentSays('a-2')));
    expect(decision).toMatchObject({ type: 'OutboundMessageRequested', data: { channel: 'whatsapp', from: WA_NUMBER } });
  });

  it("L6 given the conversation's number detached, when an agent writes, then it is refused with linked_service_changed", () => {
    const [decision] = given(outbound, [created, detached(SMS_NUMBER)]).when(send(agentSays('a-3')));
    expect(decision).toMatchObject({ type: 'OutboundMessageRejected', data: { reason: 'linked_service_changed' } });
  });

  it('O2 given the message routed already, when it comes again, then nothing is decided', () => {
    const [first] = given(outbound, [created]).when(send(agentSays('a-4')));
    expect(given(outbound, [created, first!]).when(send(agentSays('a-4')))).toEqual([]);
    expect(given(outbound, [created, first!]).when(send(agentSays('a-5')))).toHaveLength(1);
  });

  it('O2 a refusal counts as routed too', () => {
    const [refused] = given(outbound, [created, detached(SMS_NUMBER)]).when(send(agentSays('a-6')));
    expect(given(outbound, [created, detached(SMS_NUMBER), refused!]).when(send(agentSays('a-6')))).toEqual([]);
  });

  it('given no conversation yet, when a message must leave, then it is an error (tried again, never dropped)', () => {
    expect(() => given(outbound, []).when(send(agentSays('a-7')))).toThrow(/is not known here yet/);
  });
});

describe("O1 which messages must leave (messageToSend)", () => {
  it("O1 an agent's and a bot's ChatMessageSent by their message id, a BotMessageRequested by its event id; nothing else", () => {
    const bot = makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId: 'b-1', sender: { kind: 'bot', id: 'helper' }, text: 'Hello', sentAt: AT });
    const requested = makeEvent('BotMessageRequested', TENANT, { conversationId: CONVERSATION, botId: 'helper', text: 'Hello', actionId: 'greet' }, { id: 'EVTBOT' });
    expect(messageToSend(agentSays('a-1'))?.messageId).toBe('a-1');
    expect(messageToSend(bot)?.messageId).toBe('b-1');
    expect(messageToSend(requested)).toMatchObject({ messageId: 'EVTBOT', text: 'Hello' });
    expect(messageToSend(wrote('sms', SMS_NUMBER))).toBeUndefined();
    expect(messageToSend(created)).toBeUndefined();
  });
});
