import { describe, expect, it } from '@jest/globals';
import { ContactMessageAppended, ConversationCreated, ConversationLinked, makeEvent, MessageRejected, type Channel, type MessageReceived } from '@kite/contracts';
import { conversationIdFor } from './conversation-id.js';
import { evolveLinking, linkOf, type InboundDecision, type LinkingConversation, type NumberRoute } from './linking.js';
import { decideInbound, rejectionOf } from './linking.decide.js';

const TENANT = 'acme';
const CONTACT = '+15557654321';
const NUMBER = '+15551234567';
const OTHER_NUMBER = '+15551230000';
const SERVICE = 'sales';

function inbound(over: Partial<MessageReceived['data']> = {}, id = 'EVTINBOUND0000000000000001'): MessageReceived {
  return makeEvent(
    'MessageReceived',
    TENANT,
    { messageId: 'provider-msg-1', channel: 'sms', from: CONTACT, to: NUMBER, text: 'hello', receivedAt: '2026-11-24T12:00:00.000Z', ...over },
    { id },
  );
}

const route = (over: Partial<NumberRoute> = {}): NumberRoute => ({ number: NUMBER, channels: ['sms', 'whatsapp'], status: 'configured', linkedServiceId: SERVICE, ...over });
const none: LinkingConversation = { status: 'none' };
const open = (links: string[], conversationId = conversationIdFor(TENANT, CONTACT, SERVICE)): LinkingConversation => ({ status: 'open', conversationId, links });

/** The events decided; none while the message waits. */
const eventsOf = (decision: InboundDecision) => (decision.kind === 'waiting' ? [] : decision.events);

describe('L1 conversation identity', () => {
  it('L1 conversationIdFor is deterministic for (tenant, contact, service)', () => {
    expect(conversationIdFor('acme', CONTACT, 'sales')).toBe(conversationIdFor('acme', CONTACT, 'sales'));
    expect(conversationIdFor('acme', CONTACT, 'sales')).toMatch(/^C[0-9A-Z]{26}$/);
  });

  it('L1 conversationIdFor differs per tenant, per contact and per service', () => {
    const base = conversationIdFor('acme', CONTACT, 'sales');
    expect(conversationIdFor('globex', CONTACT, 'sales')).not.toBe(base);
    expect(conversationIdFor('acme', '+15557654322', 'sales')).not.toBe(base);
    expect(conversationIdFor('acme', CONTACT, 'support')).not.toBe(base);
  });

  it('L1 the parts of the key cannot be shifted into one another', () => {
    expect(conversationIdFor('ab', 'c', 'd')).not.toBe(conversationIdFor('a', 'bc', 'd'));
  });
});

describe('L2 rejected inbound messages', () => {
  describe('when the number is not configured', () => {
    it.each([
      ['no route at all', undefined],
      ['status not_configured', route({ status: 'not_configured' })],
      ['no linked service', route({ linkedServiceId: undefined })],
    ])('L2 %s: MessageRejected with reason number_not_configured', (_what, r) => {
      const message = inbound();
      const decision = decideInbound(message, r, none);
      expect(decision.kind).toBe('rejected');
      expect(eventsOf(decision)).toHaveLength(1);
      const [event] = eventsOf(decision);
      expect(event?.type).toBe('MessageRejected');
      expect(event?.data).toEqual({ messageId: 'provider-msg-1', from: CONTACT, to: NUMBER, channel: 'sms', reason: 'number_not_configured' });
      expect(event?.tenant).toBe(TENANT);
      expect(event?.causationId).toBe(message.id);
      expect(MessageRejected.safeParse(event).success).toBe(true);
      expect(rejectionOf(message, r)).toBe('number_not_configured');
    });

    it('L2 a partially configured number with a linked service is not rejected (C8: it routes as its data says)', () => {
      expect(rejectionOf(inbound(), route({ status: 'partially_configured' }))).toBeUndefined();
      expect(decideInbound(inbound(), route({ status: 'partially_configured' }), none).kind).toBe('appended');
    });
  });

  describe('when the channel is missing on the number', () => {
    it.each([
      ['whatsapp', ['sms']],
      ['sms', ['whatsapp']],
      ['sms', []],
    ] as const)('L2 a %s message on a number with channels %j: MessageRejected with reason channel_not_enabled', (channel, channels) => {
      const message = inbound({ channel: channel as Channel });
      const decision = decideInbound(message, route({ channels: [...channels] }), none);
      expect(decision.kind).toBe('rejected');
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['MessageRejected']);
      expect(eventsOf(decision)[0]?.data).toMatchObject({ reason: 'channel_not_enabled', channel });
      expect(rejectionOf(message, route({ channels: [...channels] }))).toBe('channel_not_enabled');
    });

    it('L2 a configured number with the channel is not rejected', () => {
      expect(rejectionOf(inbound({ channel: 'whatsapp' }), route())).toBeUndefined();
    });
  });

  it('L2 the rejection is idempotent: the same message rejected twice has the same event id', () => {
    const a = decideInbound(inbound(), undefined, none);
    const b = decideInbound(inbound(), undefined, none);
    expect(eventsOf(a)[0]?.id).toBe(eventsOf(b)[0]?.id);
  });
});

describe('L3 inbound messages join or create conversation (contact, linked service)', () => {
  describe('when no conversation exists', () => {
    it('L3 the first message creates it (ConversationCreated origin inbound) then appends the message', () => {
      const message = inbound();
      const decision = decideInbound(message, route(), none);
      expect(decision.kind).toBe('appended');
      if (decision.kind !== 'appended') return;
      expect(decision.conversationKey).toEqual({ contact: CONTACT, serviceId: SERVICE });
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['ConversationCreated', 'ContactMessageAppended']);
      const [created, appended] = eventsOf(decision);
      const conversationId = conversationIdFor(TENANT, CONTACT, SERVICE);
      expect(created?.data).toEqual({ conversationId, contact: CONTACT, serviceId: SERVICE, number: NUMBER, channel: 'sms', origin: 'inbound' });
      expect(appended?.data).toEqual({ conversationId, messageId: 'provider-msg-1', channel: 'sms', contact: CONTACT, number: NUMBER, serviceId: SERVICE, text: 'hello', receivedAt: '2026-11-24T12:00:00.000Z' });
      expect(ConversationCreated.safeParse(created).success).toBe(true);
      expect(ContactMessageAppended.safeParse(appended).success).toBe(true);
    });

    it('L3 both events carry correlationId and causationId equal to the inbound event id', () => {
      const message = inbound();
      const decision = decideInbound(message, route(), none);
      for (const event of eventsOf(decision)) {
        expect(event.correlationId).toBe(message.id);
        expect(event.causationId).toBe(message.id);
        expect(event.tenant).toBe(TENANT);
      }
      expect(new Set(eventsOf(decision).map((e) => e.id)).size).toBe(eventsOf(decision).length);
    });

    it('L3 an inbound event that already has a correlation id passes it on', () => {
      const message = { ...inbound(), correlationId: 'CORRELATION0000000000000001' };
      const decision = decideInbound(message, route(), none);
      for (const event of eventsOf(decision)) {
        expect(event.correlationId).toBe('CORRELATION0000000000000001');
        expect(event.causationId).toBe(message.id);
      }
    });
  });

  describe('when the conversation exists', () => {
    it('L3 with the same channel and number: only ContactMessageAppended, in the existing conversation', () => {
      const decision = decideInbound(inbound(), route(), open([linkOf('sms', NUMBER)], 'Cexisting'));
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['ContactMessageAppended']);
      expect(eventsOf(decision)[0]?.data).toMatchObject({ conversationId: 'Cexisting' });
    });

    it('L1 a new channel on the same number: ConversationLinked then ContactMessageAppended', () => {
      const decision = decideInbound(inbound({ channel: 'whatsapp' }), route(), open([linkOf('sms', NUMBER)], 'Cexisting'));
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['ConversationLinked', 'ContactMessageAppended']);
      expect(eventsOf(decision)[0]?.data).toEqual({ conversationId: 'Cexisting', channel: 'whatsapp', number: NUMBER });
      expect(ConversationLinked.safeParse(eventsOf(decision)[0]).success).toBe(true);
      expect(eventsOf(decision)[1]?.data).toMatchObject({ conversationId: 'Cexisting', channel: 'whatsapp' });
    });

    it('L1 a new number of the same service on the same channel: ConversationLinked then ContactMessageAppended', () => {
      const decision = decideInbound(inbound({ to: OTHER_NUMBER }), route({ number: OTHER_NUMBER }), open([linkOf('sms', NUMBER)], 'Cexisting'));
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['ConversationLinked', 'ContactMessageAppended']);
      expect(eventsOf(decision)[0]?.data).toEqual({ conversationId: 'Cexisting', channel: 'sms', number: OTHER_NUMBER });
    });

    it('L4 a conversation created by a call (no links yet) is joined by a later SMS, which links it', () => {
      const decision = decideInbound(inbound(), route(), open([], 'Ccall'));
      expect(eventsOf(decision).map((e) => e.type)).toEqual(['ConversationLinked', 'ContactMessageAppended']);
      expect(eventsOf(decision).map((e) => ('conversationId' in e.data ? e.data.conversationId : undefined))).toEqual(['Ccall', 'Ccall']);
    });
  });

  describe('when the same message is decided twice', () => {
    it('L3 the events have the same ids (idempotent)', () => {
      const first = decideInbound(inbound(), route(), none);
      const again = decideInbound(inbound(), route(), none);
      expect(eventsOf(again).map((e) => e.id)).toEqual(eventsOf(first).map((e) => e.id));
      expect(eventsOf(again).map((e) => e.data)).toEqual(eventsOf(first).map((e) => e.data));
    });

    it('L3 a republished message (new envelope id, same provider message id) decides the same event ids', () => {
      const first = decideInbound(inbound({}, 'EVTINBOUND0000000000000001'), route(), none);
      const again = decideInbound(inbound({}, 'EVTINBOUND0000000000000002'), route(), none);
      expect(eventsOf(again).map((e) => e.id)).toEqual(eventsOf(first).map((e) => e.id));
    });

    it('L3 two different messages give different event ids', () => {
      const first = decideInbound(inbound(), route(), none);
      const other = decideInbound(inbound({ messageId: 'provider-msg-2' }), route(), none);
      expect(eventsOf(other)[0]?.id).not.toBe(eventsOf(first)[0]?.id);
      expect(eventsOf(other)[1]?.id).not.toBe(eventsOf(first)[1]?.id);
    });
  });
});

describe('evolveLinking', () => {
  const created = (channel: 'sms' | 'whatsapp' | 'call', conversationId = 'C1') =>
    makeEvent('ConversationCreated', TENANT, { conversationId, contact: CONTACT, serviceId: SERVICE, number: NUMBER, channel, origin: 'inbound' });
  const linked = (channel: Channel, number: string, conversationId = 'C1') => makeEvent('ConversationLinked', TENANT, { conversationId, channel, number });

  it('L3 ConversationCreated opens the conversation with its channel and number', () => {
    expect(evolveLinking(none, created('sms'))).toEqual({ status: 'open', conversationId: 'C1', links: ['sms:+15551234567'] });
  });

  it('L4 ConversationCreated by a call opens it with no message links', () => {
    expect(evolveLinking(none, created('call'))).toEqual({ status: 'open', conversationId: 'C1', links: [] });
  });

  it('L3 a second ConversationCreated leaves an open conversation as it is', () => {
    const state = evolveLinking(none, created('sms'));
    expect(evolveLinking(state, created('whatsapp', 'C2'))).toEqual(state);
  });

  it('L1 ConversationLinked adds a link once', () => {
    const state = evolveLinking(evolveLinking(none, created('sms')), linked('whatsapp', NUMBER));
    expect(state).toEqual({ status: 'open', conversationId: 'C1', links: ['sms:+15551234567', 'whatsapp:+15551234567'] });
    expect(evolveLinking(state, linked('whatsapp', NUMBER))).toEqual(state);
  });

  it('L1 ConversationLinked before the conversation exists changes nothing', () => {
    expect(evolveLinking(none, linked('sms', NUMBER))).toEqual(none);
  });

  it('L3 other events change nothing', () => {
    const state = evolveLinking(none, created('sms'));
    expect(evolveLinking(state, { type: 'ContactMessageAppended' })).toBe(state);
  });

  it('L1 folding the decided events yields a state in which the same message decides only an append', () => {
    const first = decideInbound(inbound(), route(), none);
    const state = eventsOf(first).reduce(evolveLinking, none);
    expect(state).toEqual({ status: 'open', conversationId: conversationIdFor(TENANT, CONTACT, SERVICE), links: ['sms:+15551234567'] });
    const next = decideInbound(inbound({ messageId: 'provider-msg-2' }), route(), state);
    expect(eventsOf(next).map((e) => e.type)).toEqual(['ContactMessageAppended']);
  });
});

describe('L2 a change to the number not applied here yet', () => {
  it('L2 a message the configuration as applied would reject waits, with the reason, and rejects nothing', () => {
    const decision = decideInbound(inbound(), undefined, none, 'behind');
    expect(decision).toEqual({ kind: 'waiting', reason: `the configuration of ${NUMBER} has a change not applied here yet` });
    expect(decideInbound(inbound(), route({ status: 'not_configured' }), none, 'behind').kind).toBe('waiting');
  });

  it('L2 a message the configuration as applied accepts is linked at once', () => {
    expect(decideInbound(inbound(), route(), none, 'behind').kind).toBe('appended');
  });

  it('L2 on the configuration as it stands, a message that cannot be routed is rejected for good', () => {
    expect(decideInbound(inbound(), undefined, none, 'current').kind).toBe('rejected');
  });
});

describe('L6 a message decided on a copy of the number\'s configuration older than its detaching', () => {
  it('L6 the detaching applied a change (position 12) this copy (position 10) does not have: the message waits, with the reason, and creates nothing', () => {
    expect(decideInbound(inbound(), route({ version: 10, detachedThrough: 12 }), none)).toEqual({ kind: 'waiting', reason: `the configuration of ${NUMBER} read here is older than the change its detaching applied` });
  });

  it('L6 it waits also to join an existing conversation: after S1 -> S2 -> S1 a copy still at S2 must not send it to S2', () => {
    expect(decideInbound(inbound(), route({ version: 10, detachedThrough: 11 }), open([linkOf('sms', NUMBER)])).kind).toBe('waiting');
  });

  it('L6 a copy as new as the detaching, or a number the detaching has not seen, decides at once', () => {
    expect(decideInbound(inbound(), route({ version: 12, detachedThrough: 12 }), none).kind).toBe('appended');
    expect(decideInbound(inbound(), route({ version: 12, detachedThrough: undefined }), none).kind).toBe('appended');
  });
});
