import { describe, expect, it } from '@jest/globals';
import { BotMessageRequested, MembersAdded, TimerFired, type Channel, type Condition, type ConfiguredAction, type NumberConfiguration, type Task } from '@kite/contracts';
import fc from 'fast-check';
import type { Period } from '../working-hours/working-hours.js';
import { actionsOf, dueAt, immediateActions, plannedTimers, runAction, type PeriodAction, type TaskEvent } from './actions.decide.js';
import { evolveActivity, initialActivity, type Activity, type ActivityFact } from './activity.js';

const S = 1_000;
const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';

const noReply = (seconds: number): Condition => ({ type: 'no_reply', afterSeconds: seconds });
const notRead = (seconds: number): Condition => ({ type: 'not_read', afterSeconds: seconds });
const noActivity = (seconds: number): Condition => ({ type: 'no_activity', afterSeconds: seconds });

const SEND: Task = { type: 'send_message', botId: 'helper', text: 'We will be right with you' };
function action(id: string, conditions: Condition[], over: Partial<ConfiguredAction> = {}): ConfiguredAction {
  return { id, onlyOnce: false, conditions, task: SEND, ...over };
}
const inHours = (a: ConfiguredAction): PeriodAction => ({ period: 'working_hours', action: a });
const outOfHours = (a: ConfiguredAction): PeriodAction => ({ period: 'out_of_hours', action: a });

const contact = (id: string, at: number, period: Period = 'working_hours', channel: Channel = 'sms'): ActivityFact => ({ type: 'contact_message', id, at, period, channel });
const agentMessage = (at: number): ActivityFact => ({ type: 'agent_message', at });
const read = (messageId: string, at: number): ActivityFact => ({ type: 'read', messageId, at });
const ran = (actionId: string, at: number): ActivityFact => ({ type: 'action_ran', actionId, at });
const fold = (...facts: ActivityFact[]): Activity => facts.reduce(evolveActivity, initialActivity());

describe('A2 no_reply', () => {
  const a = inHours(action('x', [noReply(60)]));

  it('A2 no_reply is due T after the oldest contact message no agent message has followed', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000)))).toBe(1_000 + 60 * S);
  });

  it('A3 no_reply: an agent message after every contact message cancels it', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000), agentMessage(6_000)))).toBeUndefined();
  });

  it('A3 no_reply: a contact message after the reply re-arms it from that message', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), agentMessage(6_000), contact('m2', 9_000), contact('m3', 12_000)))).toBe(9_000 + 60 * S);
  });

  it('A3 no_reply: an agent message between contact messages moves it to the first message after the reply', () => {
    const before = dueAt(a, fold(contact('m1', 1_000), contact('m2', 9_000)));
    const after = dueAt(a, fold(contact('m1', 1_000), agentMessage(5_000), contact('m2', 9_000)));
    expect(before).toBe(1_000 + 60 * S);
    expect(after).toBe(9_000 + 60 * S);
  });

  it('A2 no_reply: a read is not a reply', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), read('m1', 2_000)))).toBe(1_000 + 60 * S);
  });
});

describe('A2 not_read', () => {
  const a = inHours(action('x', [notRead(30)]));

  it('A2 not_read is due T after the oldest unread contact message', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000)))).toBe(1_000 + 30 * S);
  });

  it('A2 not_read: a read of an earlier message moves it to the oldest message still unread', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000), contact('m3', 8_000), read('m2', 9_000)))).toBe(8_000 + 30 * S);
  });

  it('A3 not_read: a read of the latest message cancels it (reading a message reads every earlier one)', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000), read('m2', 9_000)))).toBeUndefined();
  });

  it('A2 not_read: an agent message is not a read', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), agentMessage(2_000)))).toBe(1_000 + 30 * S);
  });

  it('A3 not_read: a contact message after everything was read re-arms it from that message', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), read('m1', 2_000), contact('m2', 4_000)))).toBe(4_000 + 30 * S);
  });
});

describe('A2 no_activity', () => {
  const a = inHours(action('x', [noActivity(120)]));

  it('A2 no_activity is due T after the last contact message', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000)))).toBe(5_000 + 120 * S);
  });

  it('A3 no_activity: an agent message moves it later', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), agentMessage(7_000)))).toBe(7_000 + 120 * S);
  });

  it('A2 no_activity: a read is not activity', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), read('m1', 7_000)))).toBe(1_000 + 120 * S);
  });
});

describe('A3 several conditions: all must hold', () => {
  it('A3 the due time is the latest of the conditions’ due times', () => {
    const a = inHours(action('x', [noReply(60), noActivity(10), notRead(30)]));
    // no_reply 1 000 + 60 s, no_activity 5 000 + 10 s, not_read 1 000 + 30 s
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000)))).toBe(1_000 + 60 * S);
    // an agent message at 50 s: no_reply cancelled → the whole action is cancelled
    expect(dueAt(a, fold(contact('m1', 1_000), contact('m2', 5_000), agentMessage(50_000)))).toBeUndefined();
  });

  it('A3 no_activity can be the latest of the due times', () => {
    const a = inHours(action('x', [noReply(10), noActivity(60)]));
    expect(dueAt(a, fold(contact('m1', 1_000)))).toBe(1_000 + 60 * S);
    // no_reply from m2 (13 000), no_activity from m2 (63 000)
    expect(dueAt(a, fold(contact('m1', 1_000), agentMessage(2_000), contact('m2', 3_000)))).toBe(3_000 + 60 * S);
  });

  it('A3 a read cancelling not_read cancels the action even when no_reply still holds', () => {
    const a = inHours(action('x', [noReply(10), notRead(10)]));
    expect(dueAt(a, fold(contact('m1', 1_000)))).toBe(11_000);
    expect(dueAt(a, fold(contact('m1', 1_000), read('m1', 2_000)))).toBeUndefined();
  });
});

describe('A2 bot messages are neither replies nor activity', () => {
  it('A2 only membership changes (a bot joining, leaving) leave the due time as it was', () => {
    const a = inHours(action('x', [noReply(60), noActivity(30), notRead(20)]));
    const base = fold(contact('m1', 1_000), contact('m2', 3_000));
    const withBot = [
      { type: 'members_added', members: ['bot:helper'] },
      { type: 'member_removed', member: 'bot:helper' },
      { type: 'members_added', members: ['bot:other', 'agent:alice'] },
    ].reduce<Activity>((s, f) => evolveActivity(s, f as ActivityFact), base);
    expect(dueAt(a, base)).toBe(1_000 + 60 * S);
    expect(dueAt(a, withBot)).toBe(dueAt(a, base));
  });
});

describe('A3 counting only messages since the last run', () => {
  const x = action('x', [noReply(60)]);
  const a = inHours(x);

  it('A3 after a run the action waits for the next contact message', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), ran('x', 61_000)))).toBeUndefined();
  });

  it('A3 an agent message or a read after a run does not re-arm it', () => {
    const noAct = inHours(action('x', [noActivity(60)]));
    const notR = inHours(action('x', [notRead(60)]));
    const state = fold(contact('m1', 1_000), ran('x', 61_000), agentMessage(70_000), read('m1', 71_000));
    expect(dueAt(a, state)).toBeUndefined();
    expect(dueAt(noAct, state)).toBeUndefined();
    expect(dueAt(notR, state)).toBeUndefined();
  });

  it('A3 after a run, the next contact message re-arms it measured from that message (not the older unreplied one)', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000)))).toBe(80_000 + 60 * S);
  });

  it('A3 not_read after a run ignores older unread messages', () => {
    const notR = inHours(action('x', [notRead(60)]));
    expect(dueAt(notR, fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000)))).toBe(80_000 + 60 * S);
  });

  it('A3 the run of another action does not affect this one', () => {
    expect(dueAt(a, fold(contact('m1', 1_000), ran('other', 61_000)))).toBe(1_000 + 60 * S);
  });

  it('A6 without onlyOnce the action runs again when its conditions are met anew', () => {
    const state = fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000));
    expect(dueAt(a, state)).toBe(140_000);
  });

  it('A6 an onlyOnce action that ran is never armed again', () => {
    const once = inHours(action('x', [noReply(60)], { onlyOnce: true }));
    const state = fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000), contact('m3', 90_000));
    expect(dueAt(once, state)).toBeUndefined();
    // an onlyOnce action that has not run yet is armed as usual
    expect(dueAt(once, fold(contact('m1', 1_000)))).toBe(61_000);
  });
});

describe('A1 an action is armed only by contact messages of its period', () => {
  it('A1 a working-hours action with only out-of-hours messages is not armed', () => {
    const a = inHours(action('x', [noReply(60)]));
    expect(dueAt(a, fold(contact('m1', 1_000, 'out_of_hours'), contact('m2', 2_000, 'out_of_hours')))).toBeUndefined();
  });

  it('A1 an out-of-hours action is armed by an out-of-hours message and not by a working-hours one', () => {
    const a = outOfHours(action('y', [noReply(60)]));
    expect(dueAt(a, fold(contact('m1', 1_000, 'out_of_hours')))).toBe(61_000);
    expect(dueAt(a, fold(contact('m1', 1_000, 'working_hours')))).toBeUndefined();
  });

  it('A1 a working-hours action with only out-of-hours messages since its last run is not armed', () => {
    const a = inHours(action('x', [noReply(60)]));
    expect(dueAt(a, fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000, 'out_of_hours')))).toBeUndefined();
    expect(dueAt(a, fold(contact('m1', 1_000), ran('x', 61_000), contact('m2', 80_000, 'out_of_hours'), contact('m3', 90_000)))).toBeDefined();
  });

  it('A3 an action without conditions is never a timer', () => {
    const a = inHours(action('x', []));
    expect(dueAt(a, fold(contact('m1', 1_000)))).toBeUndefined();
  });
});

describe('plannedTimers', () => {
  it('A3 maps every armed action id to its due time and leaves out the others', () => {
    const actions = [
      inHours(action('reply', [noReply(60)])),
      inHours(action('read', [notRead(30)])),
      inHours(action('now', [])),
      outOfHours(action('night', [noReply(10)])),
      inHours(action('once', [noActivity(5)], { onlyOnce: true })),
    ];
    const state = fold(ran('once', 500), contact('m1', 1_000), read('m1', 2_000));
    expect(plannedTimers(actions, state)).toEqual(new Map([['reply', 61_000]]));
    expect(plannedTimers(actions, fold(contact('m1', 1_000)))).toEqual(new Map([['reply', 61_000], ['read', 31_000], ['once', 6_000]]));
  });

  it('A3 with no activity nothing is planned', () => {
    expect(plannedTimers([inHours(action('reply', [noReply(60)]))], initialActivity()).size).toBe(0);
  });
});

describe('A3 immediateActions', () => {
  const actions = [
    inHours(action('now', [])),
    inHours(action('once', [], { onlyOnce: true })),
    inHours(action('timed', [noReply(60)])),
    outOfHours(action('night', [])),
  ];

  it('A1, A3 returns the actions without conditions of the message’s period', () => {
    expect(immediateActions(actions, 'working_hours', initialActivity()).map((a) => a.action.id)).toEqual(['now', 'once']);
    expect(immediateActions(actions, 'out_of_hours', initialActivity()).map((a) => a.action.id)).toEqual(['night']);
  });

  it('A6 leaves out onlyOnce actions that ran, and keeps the others that ran', () => {
    const state = fold(ran('once', 1_000), ran('now', 1_000));
    expect(immediateActions(actions, 'working_hours', state).map((a) => a.action.id)).toEqual(['now']);
  });
});

describe('actionsOf', () => {
  const workingHoursAction = action('wh1', [noReply(60)]);
  const outOfHoursAction = action('ooh1', [], { task: { type: 'add_members', agentIds: ['alice'] } });
  const configuration: NumberConfiguration = {
    linkedServiceId: 'sales',
    workingHours: { routing: { type: 'agent', agentId: 'alice' }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [workingHoursAction] },
    outOfHours: { routing: { type: 'bot', botId: 'helper' }, actions: [outOfHoursAction] },
  };

  it('A1 lists working-hours and out-of-hours actions with their periods', () => {
    expect(actionsOf(configuration)).toEqual([
      { period: 'working_hours', action: workingHoursAction },
      { period: 'out_of_hours', action: outOfHoursAction },
    ]);
  });

  it('A1 a configuration without an out-of-hours part lists the working-hours actions only', () => {
    const workingHoursOnly: NumberConfiguration = { linkedServiceId: configuration.linkedServiceId, workingHours: configuration.workingHours };
    expect(actionsOf(workingHoursOnly)).toEqual([{ period: 'working_hours', action: workingHoursAction }]);
  });

  it('no configuration → no actions', () => {
    expect(actionsOf(undefined)).toEqual([]);
  });
});

describe('A4, A5 runAction', () => {
  const TIMER = { timerId: 'timer-1', dueAt: Date.UTC(2026, 10, 24, 10, 1) };
  const FIRED = Date.UTC(2026, 10, 24, 10, 1, 2);
  const send = inHours(action('x', [noReply(60)]));
  const types = (events: TaskEvent[]) => events.map((e) => e.type);

  describe('A4 send_message', () => {
    it('A4 with the bot absent: TimerFired, MembersAdded [bot] reason action, then BotMessageRequested', () => {
      const events = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
      const [fired, added, message] = events;
      expect(TimerFired.parse(fired).data).toEqual({ timerId: 'timer-1', conversationId: CONVERSATION, actionId: 'x', dueAt: '2026-11-24T10:01:00.000Z', firedAt: '2026-11-24T10:01:02.000Z' });
      expect(MembersAdded.parse(added).data).toEqual({ conversationId: CONVERSATION, members: [{ kind: 'bot', id: 'helper' }], reason: 'action', silent: false });
      expect(BotMessageRequested.parse(message).data).toEqual({ conversationId: CONVERSATION, botId: 'helper', text: 'We will be right with you', actionId: 'x' });
      for (const e of events) expect(e.tenant).toBe(TENANT);
    });

    it('A4 the bot is added again after it was removed (by an agent, or deleted from the PBX)', () => {
      const state = fold({ type: 'members_added', members: ['bot:helper'] }, { type: 'member_removed', member: 'bot:helper' });
      expect(types(runAction(TENANT, CONVERSATION, send, state, { runId: 'run-1', firedAt: FIRED }))).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
    });

    it('A4 with the bot present: no MembersAdded, only the message', () => {
      const state = fold({ type: 'members_added', members: ['bot:helper'] });
      const events = runAction(TENANT, CONVERSATION, send, state, { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      expect(types(events)).toEqual(['TimerFired', 'BotMessageRequested']);
      expect(BotMessageRequested.parse(events[1]).data.botId).toBe('helper');
    });

    it('A4 an agent with the bot’s id does not count as the bot', () => {
      const state = fold({ type: 'members_added', members: ['agent:helper'] });
      expect(types(runAction(TENANT, CONVERSATION, send, state, { runId: 'run-1', firedAt: FIRED }))).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
    });

    it('A3 without a timer (an immediate action) the run is announced as a timer due at once', () => {
      const events = runAction(TENANT, CONVERSATION, inHours(action('now', [])), initialActivity(), { runId: 'run-1', firedAt: FIRED });
      expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
      expect(TimerFired.parse(events[0]).data).toMatchObject({ timerId: `${CONVERSATION}:now`, actionId: 'now', dueAt: new Date(FIRED).toISOString(), firedAt: new Date(FIRED).toISOString() });
      expect(BotMessageRequested.parse(events[2]).data.actionId).toBe('now');
    });
  });

  describe('A5 add_members', () => {
    const add = inHours(action('add', [noReply(60)], { task: { type: 'add_members', agentIds: ['alice', 'bob', 'carol', 'alice'] } }));

    it('A5 adds the absent agents only, silently, reason action', () => {
      const state = fold({ type: 'members_added', members: ['agent:bob', 'bot:alice'] });
      const events = runAction(TENANT, CONVERSATION, add, state, { runId: 'run-1', firedAt: FIRED });
      expect(types(events)).toEqual(['TimerFired', 'MembersAdded']);
      expect(MembersAdded.parse(events[1]).data).toEqual({
        conversationId: CONVERSATION,
        members: [
          { kind: 'agent', id: 'alice' },
          { kind: 'agent', id: 'carol' },
        ],
        reason: 'action',
        silent: true,
      });
    });

    it('A5 with every agent present: no MembersAdded (only the TimerFired of its timer)', () => {
      const state = fold({ type: 'members_added', members: ['agent:alice', 'agent:bob', 'agent:carol'] });
      expect(types(runAction(TENANT, CONVERSATION, add, state, { runId: 'run-1', firedAt: FIRED }))).toEqual(['TimerFired']);
      const events = runAction(TENANT, CONVERSATION, add, state, { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      expect(types(events)).toEqual(['TimerFired']);
      expect(TimerFired.parse(events[0]).data.actionId).toBe('add');
    });
  });

  describe('A6, A7 ids derive from the run', () => {
    const ids = (events: TaskEvent[]) => events.map((e) => e.id);

    it('A7 the same runId decides the same ids (a redelivery publishes the same events)', () => {
      const first = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      const again = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      expect(ids(again)).toEqual(ids(first));
      expect(again.map((e) => e.data)).toEqual(first.map((e) => e.data));
      expect(new Set(ids(first)).size).toBe(3);
    });

    it('A7 another runId decides other ids', () => {
      const first = ids(runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER }));
      const other = ids(runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-2', firedAt: FIRED, timer: TIMER }));
      expect(other).toHaveLength(3);
      for (const id of other) expect(first).not.toContain(id);
    });

    it('A7 property: ids are a function of (tenant, runId) and distinct across runs', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,20}$/), (r1, r2) => {
          const run = (runId: string) => ids(runAction(TENANT, CONVERSATION, send, initialActivity(), { runId, firedAt: FIRED, timer: TIMER }));
          expect(run(r1)).toEqual(run(r1));
          if (r1 !== r2) expect(run(r1).some((id) => run(r2).includes(id))).toBe(false);
        }),
      );
    });
  });

  describe('causation', () => {
    it('causationId and correlationId come from the cause', () => {
      const events = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER, cause: { id: 'EVTCAUSE0000000001', correlationId: 'EVTCORRELATION0001' } });
      for (const e of events) {
        expect(e.causationId).toBe('EVTCAUSE0000000001');
        expect(e.correlationId).toBe('EVTCORRELATION0001');
      }
    });

    it('a cause without correlation starts the correlation at the cause', () => {
      const events = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, cause: { id: 'EVTCAUSE0000000001' } });
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.causationId).toBe('EVTCAUSE0000000001');
        expect(e.correlationId).toBe('EVTCAUSE0000000001');
      }
    });

    it('without a cause there is neither causationId nor correlationId', () => {
      const events = runAction(TENANT, CONVERSATION, send, initialActivity(), { runId: 'run-1', firedAt: FIRED, timer: TIMER });
      for (const e of events) {
        expect(e).not.toHaveProperty('causationId');
        expect(e).not.toHaveProperty('correlationId');
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random sequences of contact messages, agent messages, reads, runs and member
// changes, against a direct model of A2/A3 (times strictly increasing).

type Step =
  | { kind: 'contact'; gap: number; period: Period }
  | { kind: 'agent'; gap: number }
  | { kind: 'read'; gap: number; pick: number; unknown: boolean }
  | { kind: 'run'; gap: number }
  | { kind: 'member'; added: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('contact' as const), gap: fc.integer({ min: 1, max: 200_000 }), period: fc.constantFrom<Period>('working_hours', 'working_hours', 'out_of_hours') }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('agent' as const), gap: fc.integer({ min: 1, max: 200_000 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), gap: fc.integer({ min: 1, max: 200_000 }), pick: fc.nat(), unknown: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('run' as const), gap: fc.integer({ min: 1, max: 200_000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('member' as const), added: fc.boolean() }), weight: 1 },
);

interface Model {
  facts: ActivityFact[];
  contacts: { id: string; at: number; period: Period }[];
  lastAgentAt: number | undefined;
  readCutoff: number;
  lastRunAt: number;
  now: number;
}

/** Turns steps into facts (for action 'x') and a plain model of what A2 measures. */
function play(steps: readonly Step[]): Model {
  const m: Model = { facts: [], contacts: [], lastAgentAt: undefined, readCutoff: -Infinity, lastRunAt: -Infinity, now: 0 };
  steps.forEach((step, i) => {
    if (step.kind === 'member') {
      m.facts.push(step.added ? { type: 'members_added', members: ['bot:helper'] } : { type: 'member_removed', member: 'bot:helper' });
      return;
    }
    m.now += step.gap;
    switch (step.kind) {
      case 'contact':
        m.contacts.push({ id: `m${i}`, at: m.now, period: step.period });
        m.facts.push(contact(`m${i}`, m.now, step.period));
        break;
      case 'agent':
        m.lastAgentAt = m.now;
        m.facts.push(agentMessage(m.now));
        break;
      case 'read': {
        const target = step.unknown || m.contacts.length === 0 ? undefined : m.contacts[step.pick % m.contacts.length];
        m.readCutoff = Math.max(m.readCutoff, target ? target.at : m.now);
        m.facts.push(read(target ? target.id : `unknown${i}`, m.now));
        break;
      }
      case 'run':
        m.lastRunAt = m.now;
        m.facts.push(ran('x', m.now));
        break;
    }
  });
  return m;
}

const sinceRun = (m: Model) => m.contacts.filter((c) => c.at > m.lastRunAt);
const armedBy = (m: Model, period: Period) => sinceRun(m).some((c) => c.period === period);
const seconds = fc.integer({ min: 5, max: 86_400 });
const steps = fc.array(stepArb, { maxLength: 40 });

describe('A2, A3 properties', () => {
  it('A2 no_reply: due = oldest unreplied contact message since the last run + T; undefined exactly when every one was followed by an agent message', () => {
    fc.assert(
      fc.property(steps, seconds, (s, t) => {
        const m = play(s);
        const due = dueAt(inHours(action('x', [noReply(t)])), fold(...m.facts));
        const unreplied = sinceRun(m).filter((c) => c.at > (m.lastAgentAt ?? -Infinity));
        if (!armedBy(m, 'working_hours') || unreplied.length === 0) {
          expect(due).toBeUndefined();
        } else {
          const oldest = Math.min(...unreplied.map((c) => c.at));
          expect(due).toBe(oldest + t * S);
          expect(due ?? Number.NaN).toBeGreaterThanOrEqual(oldest + t * S);
        }
      }),
    );
  });

  it('A2 not_read: due = oldest unread contact message since the last run + T; undefined when every one was read', () => {
    fc.assert(
      fc.property(steps, seconds, (s, t) => {
        const m = play(s);
        const due = dueAt(inHours(action('x', [notRead(t)])), fold(...m.facts));
        const unread = sinceRun(m).filter((c) => c.at > m.readCutoff);
        if (!armedBy(m, 'working_hours') || unread.length === 0) expect(due).toBeUndefined();
        else expect(due).toBe(Math.min(...unread.map((c) => c.at)) + t * S);
      }),
    );
  });

  it('A2 no_activity: due = last contact-or-agent message + T once a contact message of the period came since the last run', () => {
    fc.assert(
      fc.property(steps, seconds, (s, t) => {
        const m = play(s);
        const due = dueAt(inHours(action('x', [noActivity(t)])), fold(...m.facts));
        if (!armedBy(m, 'working_hours')) {
          expect(due).toBeUndefined();
        } else {
          const last = Math.max(...m.contacts.map((c) => c.at), m.lastAgentAt ?? -Infinity);
          expect(due).toBe(last + t * S);
        }
      }),
    );
  });

  it('A3 several conditions: due = the latest of each condition’s due time, undefined when any is', () => {
    const condition = fc.oneof(seconds.map(noReply), seconds.map(notRead), seconds.map(noActivity));
    const conditions = fc.uniqueArray(condition, { minLength: 1, maxLength: 3, selector: (c) => c.type });
    fc.assert(
      fc.property(steps, conditions, (s, cs) => {
        const state = fold(...play(s).facts);
        const each = cs.map((c) => dueAt(inHours(action('x', [c])), state));
        const all = dueAt(inHours(action('x', cs)), state);
        if (each.some((d) => d === undefined)) expect(all).toBeUndefined();
        else expect(all).toBe(Math.max(...(each as number[])));
      }),
    );
  });

  it('A1 an action is armed only when a contact message of its period came since its last run', () => {
    fc.assert(
      fc.property(steps, fc.constantFrom<Period>('working_hours', 'out_of_hours'), (s, period) => {
        const m = play(s);
        const due = dueAt({ period, action: action('x', [noActivity(5)]) }, fold(...m.facts));
        expect(due !== undefined).toBe(armedBy(m, period));
      }),
    );
  });

  it('A2 bot membership changes never move a due time', () => {
    fc.assert(
      fc.property(steps, seconds, (s, t) => {
        const withMembers = fold(...play(s).facts);
        const without = fold(...play(s.filter((x) => x.kind !== 'member')).facts);
        for (const c of [noReply(t), notRead(t), noActivity(t)]) {
          expect(dueAt(inHours(action('x', [c])), withMembers)).toBe(dueAt(inHours(action('x', [c])), without));
        }
      }),
    );
  });

  it('A6 an onlyOnce action that ran is never armed again, whatever comes after', () => {
    fc.assert(
      fc.property(steps, seconds, (s, t) => {
        const state = fold(contact('first', 0), ran('x', 0), ...play(s).facts);
        for (const c of [noReply(t), notRead(t), noActivity(t)]) expect(dueAt(inHours(action('x', [c], { onlyOnce: true })), state)).toBeUndefined();
        expect(immediateActions([inHours(action('x', [], { onlyOnce: true }))], 'working_hours', state)).toEqual([]);
      }),
    );
  });

  it('A2 redelivering a contact message changes no due time', () => {
    fc.assert(
      fc.property(steps, seconds, fc.nat(), (s, t, pick) => {
        const m = play(s);
        const state = fold(...m.facts);
        const target = m.contacts[pick % Math.max(1, m.contacts.length)];
        if (!target) return;
        const again = evolveActivity(state, contact(target.id, target.at, target.period));
        for (const c of [noReply(t), notRead(t), noActivity(t)]) expect(dueAt(inHours(action('x', [c])), again)).toBe(dueAt(inHours(action('x', [c])), state));
      }),
    );
  });
});
