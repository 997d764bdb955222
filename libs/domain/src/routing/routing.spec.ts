import { describe, expect, it } from '@jest/globals';
import { EVENT_SCHEMAS, makeEvent, type EventType, type Member } from '@kite/contracts';
import fc from 'fast-check';
import { evolveRouting, initialRoutingConversation, memberKey, ROUTING_EVENT_TYPES, type RoutingConversation } from './routing.js';

const A = (id: string): Member => ({ kind: 'agent', id });
const B = (id: string): Member => ({ kind: 'bot', id });
const membersAdded = (...members: Member[]) => makeEvent('MembersAdded', 'acme', { conversationId: 'C1', members, reason: 'routing', silent: false });
const memberJoined = (member: Member) => makeEvent('MemberJoined', 'acme', { conversationId: 'C1', member, via: 'live_dashboard' });
const memberRemoved = (member: Member, by: Member) => makeEvent('MemberRemoved', 'acme', { conversationId: 'C1', member, by, reason: 'removed' });

describe('evolveRouting', () => {
  it('R3 memberKey distinguishes agents and bots with the same id', () => {
    expect(memberKey(A('x'))).toBe('agent:x');
    expect(memberKey(B('x'))).toBe('bot:x');
  });

  it('R5 MembersAdded makes members current and records bots as ever present', () => {
    const state = evolveRouting(initialRoutingConversation(), membersAdded(A('alice'), B('helper')));
    expect(state).toEqual({ members: ['agent:alice', 'bot:helper'], botsEverPresent: ['helper'], inactiveBots: [] });
  });

  it('R5 applying the same MembersAdded twice equals applying it once (idempotent)', () => {
    const event = membersAdded(A('alice'), A('bob'), B('helper'));
    const once = evolveRouting(initialRoutingConversation(), event);
    expect(evolveRouting(once, event)).toEqual(once);
  });

  it('R5 MembersAdded listing a member twice records it once', () => {
    const state = evolveRouting(initialRoutingConversation(), membersAdded(A('alice'), A('alice')));
    expect(state.members).toEqual(['agent:alice']);
  });

  it('R8 MemberJoined makes the member current, and a joined bot counts as ever present', () => {
    const state = evolveRouting(evolveRouting(initialRoutingConversation(), memberJoined(A('bob'))), memberJoined(B('helper')));
    expect(state).toEqual({ members: ['agent:bob', 'bot:helper'], botsEverPresent: ['helper'], inactiveBots: [] });
  });

  describe('MemberRemoved', () => {
    const start: RoutingConversation = evolveRouting(initialRoutingConversation(), membersAdded(A('alice'), B('helper')));

    it('R7 a bot removed by an agent leaves the members and becomes inactive, but stays ever present', () => {
      const state = evolveRouting(start, memberRemoved(B('helper'), A('alice')));
      expect(state).toEqual({ members: ['agent:alice'], botsEverPresent: ['helper'], inactiveBots: ['helper'] });
    });

    it('R5 a bot removed by a bot leaves the members and is not inactive', () => {
      const state = evolveRouting(start, memberRemoved(B('helper'), B('helper')));
      expect(state).toEqual({ members: ['agent:alice'], botsEverPresent: ['helper'], inactiveBots: [] });
    });

    it('R3 an agent removed leaves the members; no bot becomes inactive', () => {
      const state = evolveRouting(start, memberRemoved(A('alice'), A('bob')));
      expect(state).toEqual({ members: ['bot:helper'], botsEverPresent: ['helper'], inactiveBots: [] });
    });

    it('R7 applying the same removal twice equals applying it once', () => {
      const once = evolveRouting(start, memberRemoved(B('helper'), A('alice')));
      expect(evolveRouting(once, memberRemoved(B('helper'), A('alice')))).toEqual(once);
    });
  });

  it('R9 any other event leaves the state as it is', () => {
    const state = evolveRouting(initialRoutingConversation(), membersAdded(A('alice')));
    expect(evolveRouting(state, { type: 'ContactMessageAppended' })).toBe(state);
  });
});

describe('evolveRouting gives back the same state when a fact changes nothing (the batch does not write it)', () => {
  const start = evolveRouting(initialRoutingConversation(), membersAdded(A('alice'), B('helper')));

  it('R5 R8 members already there, a removal of someone not a member', () => {
    expect(evolveRouting(start, membersAdded(B('helper'), A('alice')))).toBe(start);
    expect(evolveRouting(start, memberJoined(A('alice')))).toBe(start);
    expect(evolveRouting(start, memberRemoved(A('bob'), A('alice')))).toBe(start);
  });

  it('R5 R7 R8 any fact after any history: the same state exactly when nothing changed', () => {
    const member = fc.constantFrom(A('alice'), A('bob'), B('helper'), B('other'));
    const fact = fc.oneof(
      fc.array(member, { maxLength: 3 }).map((members) => membersAdded(...members)),
      member.map(memberJoined),
      fc.tuple(member, member).map(([m, by]) => memberRemoved(m, by)),
    );
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 10 }), fact, (history, next) => {
        const before = history.reduce(evolveRouting, initialRoutingConversation());
        const after = evolveRouting(before, next);
        expect(after === before).toBe(JSON.stringify(after) === JSON.stringify(before));
      }),
    );
  });
});

describe('ROUTING_EVENT_TYPES', () => {
  const ignored = (Object.keys(EVENT_SCHEMAS) as EventType[]).filter((type) => !ROUTING_EVENT_TYPES.has(type));
  const members = fc.array(fc.constantFrom('agent:alice', 'agent:bob', 'bot:helper'), { maxLength: 3 });
  const state = fc.record({ members, botsEverPresent: fc.array(fc.constantFrom('helper', 'other'), { maxLength: 2 }), inactiveBots: fc.array(fc.constantFrom('helper'), { maxLength: 1 }) });

  it('names event types of the catalog only', () => {
    for (const type of ROUTING_EVENT_TYPES) expect(Object.keys(EVENT_SCHEMAS)).toContain(type);
    expect(ignored).toEqual(expect.arrayContaining(['ChatMessageSent', 'ChatMessageRead', 'OutboundMessageRequested', 'CallAppended']));
  });

  it('R1–R7 an event of any other type leaves routing\'s state as it is (its entries are passed over without a transaction)', () => {
    fc.assert(
      fc.property(state, fc.constantFrom(...ignored), (before, type) => {
        expect(evolveRouting(before, { type })).toBe(before);
      }),
    );
  });
});
