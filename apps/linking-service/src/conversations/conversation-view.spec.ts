import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { makeEvent, type ConversationEvent, type Member } from '@kite/contracts';
import { forOutbound, projectEvent, type ConversationView } from './conversation-view.js';

const TENANT = 'acme';
const CONVERSATION = 'conv-1';
const CONTACT = '+15551110001';
const NUMBER = '+15552220002';
const AT = '2026-01-05T10:00:00.000Z';

const created = (channel: 'sms' | 'whatsapp' | 'call' = 'sms') =>
  makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: CONTACT, serviceId: 'svc-1', number: NUMBER, channel, origin: 'inbound' }, { occurredAt: AT });
const linked = (channel: 'sms' | 'whatsapp', number: string) => makeEvent('ConversationLinked', TENANT, { conversationId: CONVERSATION, channel, number });
const detached = (number: string) => makeEvent('ConversationDetached', TENANT, { conversationId: CONVERSATION, number, reason: 'linked_service_changed' });
const agent = (id: string): Member => ({ kind: 'agent', id });
const bot = (id: string): Member => ({ kind: 'bot', id });
const membersAdded = (...members: Member[]) => makeEvent('MembersAdded', TENANT, { conversationId: CONVERSATION, members, reason: 'routing', silent: false });
const memberJoined = (member: Member) => makeEvent('MemberJoined', TENANT, { conversationId: CONVERSATION, member, via: 'invite' });
const memberRemoved = (member: Member) => makeEvent('MemberRemoved', TENANT, { conversationId: CONVERSATION, member, by: agent('supervisor'), reason: 'removed' });
const contactMessage = (messageId: string, channel: 'sms' | 'whatsapp' = 'whatsapp') =>
  makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId, channel, contact: CONTACT, number: NUMBER, serviceId: 'svc-1', text: 'hello', receivedAt: AT });
const chatMessage = (messageId: string, sender: Member) => makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId, sender, text: 'hi there', sentAt: AT });
const call = (callId: string) =>
  makeEvent('CallAppended', TENANT, { conversationId: CONVERSATION, callId, contact: CONTACT, serviceId: 'svc-1', agentIds: ['a1'], direction: 'inbound', startedAt: AT, endedAt: '2026-01-05T10:05:00.000Z' });
const outboundRequested = (messageId: string) =>
  makeEvent('OutboundMessageRequested', TENANT, { conversationId: CONVERSATION, messageId, channel: 'sms', from: NUMBER, to: CONTACT, text: 'reply', route: 'number_configuration' });

/** Folds events into a view the way the projection does, from no conversation. */
const fold = (...events: ConversationEvent[]): ConversationView | undefined => events.reduce<ConversationView | undefined>((view, e) => projectEvent(view, e).view, undefined);
const existing = (): ConversationView => fold(created())!;

describe('ConversationCreated', () => {
  it('creates the view with the conversation, a link on its channel and no members', () => {
    expect(projectEvent(undefined, created('sms'))).toEqual({
      view: { conversationId: CONVERSATION, tenant: TENANT, contact: CONTACT, serviceId: 'svc-1', number: NUMBER, channel: 'sms', origin: 'inbound', links: [`sms:${NUMBER}`], members: [], detached: [], lastChannel: undefined, createdAt: AT },
    });
  });

  it('a second creation changes nothing (redelivery)', () => {
    const view = fold(created('sms'), membersAdded(agent('a1')))!;
    expect(projectEvent(view, created('whatsapp')).view).toBe(view);
  });

  it('a conversation created by a call has no links', () => {
    expect(projectEvent(undefined, created('call')).view?.links).toEqual([]);
  });

  it('L5 O1 a conversation created without a number has no links, and outbound knows the channel it was created on', () => {
    const numberless = makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: CONTACT, serviceId: 'svc-1', channel: 'whatsapp', origin: 'agent' }, { occurredAt: AT });
    const view = projectEvent(undefined, numberless).view!;
    expect([view.number, view.channel, view.links, view.lastChannel]).toEqual([undefined, 'whatsapp', [], undefined]);
    expect(forOutbound(view)).toMatchObject({ links: [], createdOn: 'whatsapp' });
  });
});

describe('links and detached numbers', () => {
  it('ConversationLinked adds a link once', () => {
    const view = fold(created('sms'), linked('whatsapp', NUMBER), linked('whatsapp', NUMBER));
    expect(view?.links).toEqual([`sms:${NUMBER}`, `whatsapp:${NUMBER}`]);
  });

  it('ConversationDetached adds the number once', () => {
    const view = fold(created(), detached(NUMBER), detached('+15553330003'), detached(NUMBER));
    expect(view?.detached).toEqual([NUMBER, '+15553330003']);
  });
});

describe('members', () => {
  it('MembersAdded adds members in order, without duplicates within the event or with those already there', () => {
    const view = fold(created(), membersAdded(agent('a1'), bot('b1')), membersAdded(agent('a2'), agent('a1'), agent('a2')));
    expect(view?.members).toEqual(['agent:a1', 'bot:b1', 'agent:a2']);
  });

  it('MemberJoined adds a member once', () => {
    const view = fold(created(), memberJoined(agent('a1')), memberJoined(bot('b1')), memberJoined(agent('a1')));
    expect(view?.members).toEqual(['agent:a1', 'bot:b1']);
  });

  it('an agent and a bot of the same id are different members', () => {
    expect(fold(created(), membersAdded(agent('x'), bot('x')))?.members).toEqual(['agent:x', 'bot:x']);
  });

  it('MemberRemoved removes the member and keeps the others in order', () => {
    const view = fold(created(), membersAdded(agent('a1'), agent('a2'), agent('a3')), memberRemoved(agent('a2')));
    expect(view?.members).toEqual(['agent:a1', 'agent:a3']);
  });

  it('MemberRemoved of someone not a member changes nothing', () => {
    expect(fold(created(), membersAdded(agent('a1')), memberRemoved(bot('a1')))?.members).toEqual(['agent:a1']);
  });

  it('any sequence of adds and removes gives the members of a simple set model, without duplicates', () => {
    const member = fc.record({ kind: fc.constantFrom('agent' as const, 'bot' as const), id: fc.constantFrom('m1', 'm2', 'm3', 'm4') });
    const step = fc.oneof(
      fc.record({ add: fc.array(member, { minLength: 1, maxLength: 4 }) }),
      fc.record({ remove: member }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        // The model: a Set keeps insertion order, and a removed member added again goes to the end.
        const model = new Set<string>();
        const events: ConversationEvent[] = [created()];
        for (const s of steps) {
          if ('add' in s) {
            events.push(membersAdded(...s.add));
            for (const m of s.add) model.add(`${m.kind}:${m.id}`);
          } else {
            events.push(memberRemoved(s.remove));
            model.delete(`${s.remove.kind}:${s.remove.id}`);
          }
        }
        const members = fold(...events)!.members;
        expect(new Set(members).size).toBe(members.length);
        expect(members).toEqual([...model]);
      }),
    );
  });
});

describe('timeline items', () => {
  it('ContactMessageAppended sets the last channel and yields a contact_message item keyed by message id', () => {
    const event = contactMessage('msg-7', 'whatsapp');
    const { view, item } = projectEvent(existing(), event);
    expect(view?.lastChannel).toBe('whatsapp');
    expect(item).toEqual({
      tenant: TENANT,
      itemId: 'message:msg-7',
      conversationId: CONVERSATION,
      kind: 'contact_message',
      channel: 'whatsapp',
      at: AT,
      body: { messageId: 'msg-7', from: CONTACT, to: NUMBER, text: 'hello' },
    });
  });

  it('the last channel follows the latest contact message', () => {
    expect(fold(created(), contactMessage('m1', 'whatsapp'), contactMessage('m2', 'sms'))?.lastChannel).toBe('sms');
  });

  it('ChatMessageSent by an agent yields an agent_message item on the chat channel and leaves the view as it was', () => {
    const view = existing();
    const result = projectEvent(view, chatMessage('chat-1', agent('a1')));
    expect(result.view).toBe(view);
    expect(result.item).toEqual({
      tenant: TENANT,
      itemId: 'message:chat-1',
      conversationId: CONVERSATION,
      kind: 'agent_message',
      channel: 'chat',
      at: AT,
      body: { messageId: 'chat-1', sender: agent('a1'), text: 'hi there' },
    });
  });

  it('ChatMessageSent by a bot yields a bot_message item', () => {
    expect(projectEvent(existing(), chatMessage('chat-2', bot('b1'))).item).toMatchObject({ itemId: 'message:chat-2', kind: 'bot_message', channel: 'chat' });
  });

  it('CallAppended yields a call item keyed by call id, at the start of the call', () => {
    const { item } = projectEvent(existing(), call('call-9'));
    expect(item).toEqual({
      tenant: TENANT,
      itemId: 'call:call-9',
      conversationId: CONVERSATION,
      kind: 'call',
      channel: 'call',
      at: AT,
      body: { callId: 'call-9', direction: 'inbound', agentIds: ['a1'], startedAt: AT, endedAt: '2026-01-05T10:05:00.000Z' },
    });
  });

  it('events that are not timeline items yield none', () => {
    for (const event of [created(), linked('sms', NUMBER), membersAdded(agent('a1')), memberRemoved(agent('a1')), outboundRequested('o1')]) {
      expect(projectEvent(existing(), event).item).toBeUndefined();
    }
  });
});

describe('outbound records', () => {
  it('OutboundMessageRequested yields an outbound record with the event id', () => {
    const event = outboundRequested('out-1');
    const result = projectEvent(existing(), event);
    expect(result.outbound).toEqual({ tenant: TENANT, messageId: 'out-1', conversationId: CONVERSATION, eventId: event.id });
    expect(result.view).toEqual(existing());
  });

  it('OutboundMessageRejected yields an outbound record too', () => {
    const event = makeEvent('OutboundMessageRejected', TENANT, { conversationId: CONVERSATION, messageId: 'out-2', reason: 'no_route' });
    expect(projectEvent(existing(), event).outbound).toEqual({ tenant: TENANT, messageId: 'out-2', conversationId: CONVERSATION, eventId: event.id });
  });
});

describe('events before the conversation is created', () => {
  it('change no view', () => {
    for (const event of [linked('sms', NUMBER), detached(NUMBER), membersAdded(agent('a1')), memberJoined(agent('a1')), memberRemoved(agent('a1')), contactMessage('m1'), chatMessage('c1', agent('a1')), call('k1'), outboundRequested('o1')]) {
      expect(projectEvent(undefined, event).view).toBeUndefined();
    }
  });

  it('still yield their timeline item and outbound record', () => {
    expect(projectEvent(undefined, contactMessage('m1')).item?.itemId).toBe('message:m1');
    expect(projectEvent(undefined, chatMessage('c1', agent('a1'))).item?.itemId).toBe('message:c1');
    expect(projectEvent(undefined, call('k1')).item?.itemId).toBe('call:k1');
    expect(projectEvent(undefined, outboundRequested('o1')).outbound?.messageId).toBe('o1');
  });
});

describe('projectEvent', () => {
  it('does not mutate the view it is given', () => {
    const view = fold(created(), membersAdded(agent('a1'), agent('a2')))!;
    const snapshot = structuredClone(view);
    for (const event of [linked('whatsapp', NUMBER), detached(NUMBER), membersAdded(agent('a3')), memberRemoved(agent('a1')), contactMessage('m1')]) projectEvent(view, event);
    expect(view).toEqual(snapshot);
  });

  it('an event type it does not project leaves the view as it was and yields nothing', () => {
    const view = existing();
    const event = makeEvent('ChatMessageRead', TENANT, { conversationId: CONVERSATION, messageId: 'm1', readerId: 'a1', readAt: AT });
    expect(projectEvent(view, event)).toEqual({ view });
  });

  it('an event that changes nothing in the conversation gives back the same view (a batch that changed none of it does not write it)', () => {
    const view = fold(created('sms'), detached('+15553330003'), membersAdded(agent('a1'), bot('b1')), contactMessage('m1', 'sms'))!;
    const unchanging = [
      contactMessage('m2', 'sms'),
      linked('sms', NUMBER),
      detached('+15553330003'),
      membersAdded(bot('b1'), agent('a1')),
      memberJoined(agent('a1')),
      memberRemoved(agent('a9')),
      chatMessage('m3', agent('a1')),
      call('c1'),
      outboundRequested('m3'),
    ];
    for (const event of unchanging) expect(projectEvent(view, event).view).toBe(view);
  });

  it('any event after any history gives back the same view exactly when the view did not change', () => {
    const member = fc.constantFrom(agent('a1'), agent('a2'), bot('b1'));
    const event = fc.oneof(
      fc.constantFrom<'sms' | 'whatsapp'>('sms', 'whatsapp').map((channel) => contactMessage('m', channel)),
      fc.constantFrom<'sms' | 'whatsapp'>('sms', 'whatsapp').map((channel) => linked(channel, NUMBER)),
      fc.constantFrom('+15553330003', '+15553330004').map(detached),
      fc.array(member, { maxLength: 3 }).map((members) => membersAdded(...members)),
      member.map(memberJoined),
      member.map(memberRemoved),
      fc.constant(chatMessage('m', agent('a1'))),
      fc.constant(call('c')),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), event, (history, next) => {
        const view = fold(created('sms'), ...history)!;
        const after = projectEvent(view, next).view;
        expect(after === view).toBe(JSON.stringify(after) === JSON.stringify(view));
      }),
    );
  });
});

describe('forOutbound', () => {
  it('keeps what the outbound decision needs', () => {
    const view = fold(created('sms'), linked('whatsapp', NUMBER), detached('+15553330003'), membersAdded(agent('a1')), contactMessage('m1', 'whatsapp'))!;
    expect(forOutbound(view)).toEqual({
      conversationId: CONVERSATION,
      contact: CONTACT,
      serviceId: 'svc-1',
      links: [`sms:${NUMBER}`, `whatsapp:${NUMBER}`],
      detached: ['+15553330003'],
      lastChannel: 'whatsapp',
      createdOn: 'sms',
      whatsappWindowUntil: Date.parse('2026-01-06T10:00:00.000Z'),
    });
  });
});

describe('P4 P5 consent on the timeline', () => {
  it('P5 a keyword message is on the timeline, marked', () => {
    const stop = makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: 'k-1', channel: 'sms', contact: CONTACT, number: NUMBER, serviceId: 'svc-1', text: 'STOP', receivedAt: AT, keyword: 'opt_out' });
    expect(projectEvent(fold(created('sms')), stop).item?.body).toEqual({ messageId: 'k-1', from: CONTACT, to: NUMBER, text: 'STOP', keyword: 'opt_out' });
  });

  it("P4 the system's confirmation is on the timeline; an ordinary outbound request is not", () => {
    const data = { conversationId: CONVERSATION, messageId: 'reply-1', channel: 'sms' as const, from: NUMBER, to: CONTACT, text: 'You have been unsubscribed.', route: 'number_configuration' as const };
    const confirmation = makeEvent('OutboundMessageRequested', TENANT, { ...data, purpose: 'opt_out_confirmation' }, { occurredAt: AT });
    expect(projectEvent(fold(created('sms')), confirmation).item).toEqual({ tenant: TENANT, itemId: 'message:reply-1', conversationId: CONVERSATION, kind: 'system_message', channel: 'sms', at: AT, body: { messageId: 'reply-1', purpose: 'opt_out_confirmation', text: 'You have been unsubscribed.' } });
    expect(projectEvent(fold(created('sms')), makeEvent('OutboundMessageRequested', TENANT, data)).item).toBeUndefined();
  });
});

describe('W2 W4 what did not leave is on the timeline', () => {
  it('W2 an outbound message refused is a timeline item with its reason and detail, and is recorded as decided (O2)', () => {
    const refused = makeEvent('OutboundMessageRejected', TENANT, { conversationId: CONVERSATION, messageId: 'a-1', reason: 'whatsapp_window_closed', detail: 'the window closed' }, { occurredAt: AT });
    const projected = projectEvent(fold(created('whatsapp')), refused);
    expect(projected.item).toEqual({ tenant: TENANT, itemId: 'rejected:a-1', conversationId: CONVERSATION, kind: 'outbound_rejected', channel: 'chat', at: AT, body: { messageId: 'a-1', reason: 'whatsapp_window_closed', detail: 'the window closed' } });
    expect(projected.outbound).toEqual({ tenant: TENANT, messageId: 'a-1', conversationId: CONVERSATION, eventId: refused.id });
  });

  it('W4 a skipped action run is a timeline item with its reason', () => {
    const skipped = makeEvent('ActionSkipped', TENANT, { conversationId: CONVERSATION, actionId: 'nudge', timerId: `${CONVERSATION}:nudge`, reason: 'whatsapp_window_closed' }, { id: 'EVTSKIPPED', occurredAt: AT });
    expect(projectEvent(fold(created('whatsapp')), skipped).item).toEqual({
      tenant: TENANT,
      itemId: 'skipped:EVTSKIPPED',
      conversationId: CONVERSATION,
      kind: 'action_skipped',
      channel: 'chat',
      at: AT,
      body: { actionId: 'nudge', timerId: `${CONVERSATION}:nudge`, reason: 'whatsapp_window_closed' },
    });
  });
});
