import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { BotReplyRequested, makeEvent, MembersAdded, type ContactMessageAppended, type Member, type NumberConfiguration, type RoutingTarget, type Schedule } from '@kite/contracts';
import { decideRouting, routingTargetAt, type RoutingContext, type RoutingEvent } from './routing.decide.js';
import { evolveRouting, initialRoutingConversation, memberKey, type RoutingConversation } from './routing.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
/** Working hours: every day 08:00–18:00 UTC. */
const SCHEDULE: Schedule = { timeZone: 'UTC', rules: [{ days: 'everyday', from: '08:00', to: '18:00' }], closures: [] };
const IN_HOURS = '2026-11-24T10:00:00.000Z';
const OUT_OF_HOURS = '2026-11-24T20:00:00.000Z';

const GROUPS: Record<string, readonly string[]> = { sales: ['alice', 'bob'], empty: [], support: ['carol'] };
const groupAgents = (serviceId: string): readonly string[] => GROUPS[serviceId] ?? [];

const agent = (id: string): RoutingTarget => ({ type: 'agent', agentId: id });
const group = (serviceId: string): RoutingTarget => ({ type: 'group', serviceId });
const bot = (id: string): RoutingTarget => ({ type: 'bot', botId: id });

function configuration(workingHours: RoutingTarget, outOfHours?: RoutingTarget, schedule: Schedule = SCHEDULE): NumberConfiguration {
  return {
    linkedServiceId: 'sales',
    workingHours: { routing: workingHours, schedule, actions: [] },
    ...(outOfHours ? { outOfHours: { routing: outOfHours, actions: [] } } : {}),
  };
}

const context = (config: NumberConfiguration | undefined, over: Partial<RoutingContext> = {}): RoutingContext => ({ configuration: config, groupAgents, ...over });

let seq = 0;
function message(receivedAt: string = IN_HOURS): ContactMessageAppended {
  seq += 1;
  const n = String(seq).padStart(4, '0');
  return makeEvent(
    'ContactMessageAppended',
    TENANT,
    { conversationId: CONVERSATION, messageId: `msg-${n}`, channel: 'sms', contact: '+15557654321', number: '+15551234567', serviceId: 'sales', text: 'hi', receivedAt },
    { id: `EVTCONTACTMESSAGE000000${n}` },
  );
}

const A = (id: string): Member => ({ kind: 'agent', id });
const B = (id: string): Member => ({ kind: 'bot', id });
const added = (...members: Member[]) => ({ type: 'MembersAdded', data: { members } });
const joined = (member: Member, via: 'live_dashboard' | 'invite' | 'bot' = 'live_dashboard') => ({ type: 'MemberJoined', data: { member, via } });
const removed = (member: Member, by: Member) => ({ type: 'MemberRemoved', data: { member, by, reason: member.id === by.id ? 'left' : 'removed' } });

/** A conversation state built by folding membership events, as the service does. */
const stateOf = (...events: { type: string }[]): RoutingConversation => events.reduce(evolveRouting, initialRoutingConversation());

const types = (events: RoutingEvent[]) => events.map((e) => e.type);
function membersAddedIn(events: RoutingEvent[]): Member[] | undefined {
  const e = events.find((x): x is MembersAdded => x.type === 'MembersAdded');
  return e?.data.members;
}
function botAskedIn(events: RoutingEvent[]): string | undefined {
  const e = events.find((x): x is BotReplyRequested => x.type === 'BotReplyRequested');
  return e?.data.botId;
}

describe('R3 agent target', () => {
  const ctx = context(configuration(agent('alice')));

  it('R3 adds the agent when it is not a member', () => {
    const events = decideRouting(message(), stateOf(), ctx);
    expect(types(events)).toEqual(['MembersAdded']);
    expect(membersAddedIn(events)).toEqual([A('alice')]);
  });

  it('R3 does not add the agent again when it is a member', () => {
    expect(decideRouting(message(), stateOf(added(A('alice'))), ctx)).toEqual([]);
  });

  describe('when the agent was removed or left earlier', () => {
    it('R3 adds the agent again after another agent removed it', () => {
      const events = decideRouting(message(), stateOf(added(A('alice')), removed(A('alice'), A('bob'))), ctx);
      expect(membersAddedIn(events)).toEqual([A('alice')]);
    });

    it('R3 adds the agent again after it left', () => {
      const events = decideRouting(message(), stateOf(added(A('alice')), removed(A('alice'), A('alice'))), ctx);
      expect(membersAddedIn(events)).toEqual([A('alice')]);
    });
  });

  it('R3 adds the agent also when other agents are present, and lists only the agent', () => {
    const events = decideRouting(message(), stateOf(added(A('bob'), A('carol'), B('helper'))), ctx);
    expect(membersAddedIn(events)).toEqual([A('alice')]);
  });

  it('R3 a bot with the same id as the agent does not count as the agent', () => {
    expect(membersAddedIn(decideRouting(message(), stateOf(added(B('alice'))), ctx))).toEqual([A('alice')]);
  });
});

describe('R4 group target', () => {
  it('R4 adds every agent of the group when none is present', () => {
    const events = decideRouting(message(), stateOf(), context(configuration(group('sales'))));
    expect(types(events)).toEqual(['MembersAdded']);
    expect(membersAddedIn(events)).toEqual([A('alice'), A('bob')]);
  });

  it('R4 adds every agent of the group when only agents of other groups and bots are present', () => {
    const events = decideRouting(message(), stateOf(added(A('carol'), B('helper'))), context(configuration(group('sales'))));
    expect(membersAddedIn(events)).toEqual([A('alice'), A('bob')]);
  });

  it('R4 adds nobody when at least one agent of the group is present', () => {
    expect(decideRouting(message(), stateOf(added(A('bob'))), context(configuration(group('sales'))))).toEqual([]);
  });

  it('R4 adds every agent again when all of the group were removed or left', () => {
    const state = stateOf(added(A('alice'), A('bob')), removed(A('alice'), A('alice')), removed(A('bob'), A('carol')));
    expect(membersAddedIn(decideRouting(message(), state, context(configuration(group('sales')))))).toEqual([A('alice'), A('bob')]);
  });

  it('R4 a group with no agents adds nobody', () => {
    expect(decideRouting(message(), stateOf(), context(configuration(group('empty'))))).toEqual([]);
  });

  it('R4 an agent listed twice in the group is added once', () => {
    const ctx = context(configuration(group('dup')), { groupAgents: () => ['alice', 'alice', 'bob'] });
    expect(membersAddedIn(decideRouting(message(), stateOf(), ctx))).toEqual([A('alice'), A('bob')]);
  });
});

describe('R5 bot target', () => {
  const ctx = context(configuration(bot('helper')));

  describe('when the bot was never in the conversation', () => {
    it('R5 adds the bot and asks it to reply to the message', () => {
      const m = message();
      const events = decideRouting(m, stateOf(), ctx);
      expect(types(events)).toEqual(['MembersAdded', 'BotReplyRequested']);
      expect(membersAddedIn(events)).toEqual([B('helper')]);
      expect(events[1]?.data).toEqual({ conversationId: CONVERSATION, botId: 'helper', messageId: m.data.messageId });
      expect(BotReplyRequested.safeParse(events[1]).success).toBe(true);
    });
  });

  describe('when the bot is a member', () => {
    it('R5 asks it to reply and does not add it again', () => {
      const events = decideRouting(message(), stateOf(added(B('helper'))), ctx);
      expect(types(events)).toEqual(['BotReplyRequested']);
      expect(botAskedIn(events)).toBe('helper');
    });
  });

  describe('when the bot was present and left (removed by a non-agent)', () => {
    it('R5 the bot left by itself: not re-added and not asked', () => {
      expect(decideRouting(message(), stateOf(added(B('helper')), removed(B('helper'), B('helper'))), ctx)).toEqual([]);
    });

    it('R5 another bot removed it: not re-added and not asked', () => {
      expect(decideRouting(message(), stateOf(added(B('helper')), removed(B('helper'), B('other'))), ctx)).toEqual([]);
    });
  });
});

describe('R6 a routing bot answers only in periods whose routing targets it', () => {
  describe('when a bot was added out of hours and working-hours routing targets a group', () => {
    const ctx = context(configuration(group('sales'), bot('night-bot')));

    it('R6 out of hours the bot is added and asked to reply', () => {
      const events = decideRouting(message(OUT_OF_HOURS), stateOf(), ctx);
      expect(membersAddedIn(events)).toEqual([B('night-bot')]);
      expect(botAskedIn(events)).toBe('night-bot');
    });

    it('R6 in working hours the bot stays silent and the group routing applies', () => {
      const afterNight = stateOf(...decideRouting(message(OUT_OF_HOURS), stateOf(), ctx));
      expect(afterNight.members).toContain('bot:night-bot');
      const events = decideRouting(message(IN_HOURS), afterNight, ctx);
      expect(types(events)).toEqual(['MembersAdded']);
      expect(membersAddedIn(events)).toEqual([A('alice'), A('bob')]);
      expect(botAskedIn(events)).toBeUndefined();
    });

    it('R6 back out of hours the member bot is asked again, not re-added', () => {
      const state = stateOf(added(B('night-bot')), added(A('alice'), A('bob')));
      const events = decideRouting(message(OUT_OF_HOURS), state, ctx);
      expect(types(events)).toEqual(['BotReplyRequested']);
    });
  });

  it('R6 a member bot that is not the target of the current period is never asked, even when the current target is another bot', () => {
    const ctx = context(configuration(bot('day-bot'), bot('night-bot')));
    const events = decideRouting(message(IN_HOURS), stateOf(added(B('night-bot'))), ctx);
    expect(membersAddedIn(events)).toEqual([B('day-bot')]);
    expect(events.filter((e) => e.type === 'BotReplyRequested').map((e) => (e as BotReplyRequested).data.botId)).toEqual(['day-bot']);
  });
});

describe('R7 when the bot was removed by an agent', () => {
  const ctx = context(configuration(bot('helper')));
  const removedByAgent = stateOf(added(B('helper')), removed(B('helper'), A('alice')));

  it('R7 routing never re-adds it nor asks it to reply', () => {
    expect(removedByAgent.inactiveBots).toEqual(['helper']);
    expect(decideRouting(message(), removedByAgent, ctx)).toEqual([]);
    expect(decideRouting(message(OUT_OF_HOURS), removedByAgent, context(configuration(agent('alice'), bot('helper'))))).toEqual([]);
  });

  it('R7 even when the bot is a member again (added by an action or by someone), it is not asked to reply', () => {
    const state = evolveRouting(removedByAgent, added(B('helper')));
    expect(state.members).toContain('bot:helper');
    expect(decideRouting(message(), state, ctx)).toEqual([]);
  });

  it('R7 the inactivity is for that bot only: another routing bot is still added', () => {
    const events = decideRouting(message(), removedByAgent, context(configuration(bot('other'))));
    expect(membersAddedIn(events)).toEqual([B('other')]);
    expect(botAskedIn(events)).toBe('other');
  });
});

describe('R8 members added by others change no routing rule', () => {
  it('R8 an agent of the group joining from the live dashboard: R4 adds nobody', () => {
    const state = stateOf(joined(A('bob'), 'live_dashboard'));
    expect(decideRouting(message(), state, context(configuration(group('sales'))))).toEqual([]);
  });

  it('R8 an agent of another group joining from the live dashboard: R4 still adds the whole group', () => {
    const state = stateOf(joined(A('carol'), 'live_dashboard'));
    expect(membersAddedIn(decideRouting(message(), state, context(configuration(group('sales')))))).toEqual([A('alice'), A('bob')]);
  });

  it('R8 the target agent added by a bot is a member: R3 adds nobody', () => {
    expect(decideRouting(message(), stateOf(joined(A('alice'), 'bot')), context(configuration(agent('alice'))))).toEqual([]);
  });

  it('R8 the target bot invited by an agent is a member: R5 asks it to reply without adding it', () => {
    const events = decideRouting(message(), stateOf(joined(B('helper'), 'invite')), context(configuration(bot('helper'))));
    expect(types(events)).toEqual(['BotReplyRequested']);
  });
});

describe('R1/R2 the period is taken at the message receivedAt', () => {
  const ctx = context(configuration(agent('alice'), agent('night-owl')));

  afterEach(() => {
    jest.useRealTimers();
  });

  it('R2 in working hours the working-hours routing applies', () => {
    expect(membersAddedIn(decideRouting(message(IN_HOURS), stateOf(), ctx))).toEqual([A('alice')]);
  });

  it('R2 out of hours the out-of-hours routing applies', () => {
    expect(membersAddedIn(decideRouting(message(OUT_OF_HOURS), stateOf(), ctx))).toEqual([A('night-owl')]);
  });

  it('R1 a message received out of hours is routed out of hours although it is working hours now', () => {
    jest.useFakeTimers({ now: new Date(IN_HOURS) });
    expect(membersAddedIn(decideRouting(message(OUT_OF_HOURS), stateOf(), ctx))).toEqual([A('night-owl')]);
  });

  it('R1 a message received in working hours is routed in working hours although it is out of hours now', () => {
    jest.useFakeTimers({ now: new Date(OUT_OF_HOURS) });
    expect(membersAddedIn(decideRouting(message(IN_HOURS), stateOf(), ctx))).toEqual([A('alice')]);
  });

  it('R1 the schedule zone decides: 10:00Z is 07:00 at GMT-03:00, out of hours', () => {
    const zoned = context(configuration(agent('alice'), agent('night-owl'), { ...SCHEDULE, timeZone: 'GMT-03:00' }));
    expect(membersAddedIn(decideRouting(message(IN_HOURS), stateOf(), zoned))).toEqual([A('night-owl')]);
  });

  it('R1 a closure date is out of hours', () => {
    const closed = context(configuration(agent('alice'), agent('night-owl'), { ...SCHEDULE, closures: ['2026-11-24'] }));
    expect(membersAddedIn(decideRouting(message(IN_HOURS), stateOf(), closed))).toEqual([A('night-owl')]);
  });

  it('R1 an active override decides the period', () => {
    const overridden = context(configuration(agent('alice'), agent('night-owl')), { override: { mode: 'closed' } });
    expect(membersAddedIn(decideRouting(message(IN_HOURS), stateOf(), overridden))).toEqual([A('night-owl')]);
  });

  it('R2 out of hours with no out-of-hours part: nothing', () => {
    expect(decideRouting(message(OUT_OF_HOURS), stateOf(), context(configuration(agent('alice'))))).toEqual([]);
  });

  it('C4 a schedule with no rules is always working hours: the working-hours routing applies at night', () => {
    const always = context(configuration(agent('alice'), agent('night-owl'), { ...SCHEDULE, rules: [] }));
    expect(membersAddedIn(decideRouting(message(OUT_OF_HOURS), stateOf(), always))).toEqual([A('alice')]);
  });

  it('R1 routingTargetAt names the period and its target', () => {
    const config = configuration(agent('alice'), bot('helper'));
    expect(routingTargetAt(config, new Date(IN_HOURS))).toEqual({ period: 'working_hours', target: agent('alice') });
    expect(routingTargetAt(config, new Date(OUT_OF_HOURS))).toEqual({ period: 'out_of_hours', target: bot('helper') });
    expect(routingTargetAt(configuration(agent('alice')), new Date(OUT_OF_HOURS))).toEqual({ period: 'out_of_hours', target: undefined });
  });
});

describe('when the number has no configuration', () => {
  it('R2 routing decides nothing', () => {
    expect(decideRouting(message(), stateOf(), context(undefined))).toEqual([]);
  });
});

describe('MembersAdded by routing', () => {
  it('R3 MembersAdded has reason routing, silent false, the conversation, and the cause of the message', () => {
    const m = message();
    const [event] = decideRouting(m, stateOf(), context(configuration(agent('alice'))));
    expect(event?.type).toBe('MembersAdded');
    expect(event?.data).toEqual({ conversationId: CONVERSATION, members: [A('alice')], reason: 'routing', silent: false });
    expect(event?.tenant).toBe(TENANT);
    expect(event?.causationId).toBe(m.id);
    expect(event?.correlationId).toBe(m.id);
    expect(MembersAdded.safeParse(event).success).toBe(true);
  });

  it('R4 MembersAdded lists only members not already present (none of a group present → the whole group, none duplicated)', () => {
    const state = stateOf(added(A('carol')));
    const members = membersAddedIn(decideRouting(message(), state, context(configuration(group('sales'))))) ?? [];
    expect(members.map(memberKey).filter((k) => state.members.includes(k))).toEqual([]);
    expect(new Set(members.map(memberKey)).size).toBe(members.length);
  });

  it('R3 the same message decided twice gives the same event ids', () => {
    const m = message();
    const ctx = context(configuration(bot('helper')));
    const first = decideRouting(m, stateOf(), ctx);
    const again = decideRouting(m, stateOf(), ctx);
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect(new Set(first.map((e) => e.id)).size).toBe(2);
  });

  it('R3 folding the decided MembersAdded makes the next message add nobody', () => {
    const ctx = context(configuration(group('sales')));
    const state = stateOf(...decideRouting(message(), stateOf(), ctx));
    expect(decideRouting(message(), state, ctx)).toEqual([]);
  });
});
