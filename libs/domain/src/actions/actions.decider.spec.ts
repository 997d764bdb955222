import { describe, expect, it } from '@jest/globals';
import { makeEvent, type Channel, type Condition, type ConfiguredAction, type ContactMessageAppended, type ConversationEvent, type Member } from '@kite/contracts';
import fc from 'fast-check';
import { given } from '../decider.js';
import type { Period } from '../working-hours/working-hours.js';
import type { PeriodAction } from './actions.decide.js';
import { actions, type FireTimer, type RunOnMessage } from './actions.decider.js';
import { activityFactOf, type ActivityFact } from './activity.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
const S = 1_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');

const greet = (id: string, over: Partial<ConfiguredAction> = {}): ConfiguredAction => ({ id, onlyOnce: false, conditions: [], task: { type: 'send_message', botId: 'helper', text: 'Hello' }, ...over });
const noReply = (seconds: number): Condition => ({ type: 'no_reply', afterSeconds: seconds });
const inHours = (action: ConfiguredAction): PeriodAction => ({ period: 'working_hours', action });
const outOfHours = (action: ConfiguredAction): PeriodAction => ({ period: 'out_of_hours', action });

const message = (id: string, at: number): ContactMessageAppended =>
  makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: id, channel: 'sms', contact: '+15557654321', number: '+15551234567', serviceId: 'sales', text: 'hi', receivedAt: new Date(at).toISOString() });
const contact = (id: string, at: number, period: Period = 'working_hours', channel: Channel = 'sms'): ActivityFact => ({ type: 'contact_message', id, at, period, channel });
const agentReply = (at: number): ActivityFact => ({ type: 'agent_message', at });
const ran = (actionId: string, at: number): ActivityFact => ({ type: 'action_ran', actionId, at });

const onMessage = (id: string, at: number, configured: PeriodAction[], period: Period = 'working_hours'): RunOnMessage => ({
  type: 'RunOnMessage',
  tenant: TENANT,
  conversationId: CONVERSATION,
  actions: configured,
  now: at + 5,
  message: message(id, at),
  period,
});
const fire = (actionId: string, now: number, configured: PeriodAction[]): FireTimer => ({ type: 'FireTimer', tenant: TENANT, conversationId: CONVERSATION, actions: configured, now, actionId });

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);
const added = (events: readonly ConversationEvent[]): Member[] => events.flatMap((e) => (e.type === 'MembersAdded' ? e.data.members : []));

describe('actions as a decider: given(facts).when(command).then(events)', () => {
  it('A3, A4 given a contact message, when it runs the actions without conditions, then the run is announced, the bot added and its message requested', () => {
    const events = given(actions, [contact('m1', T0)]).when(onMessage('m1', T0, [inHours(greet('welcome'))]));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
  });

  it('A4 given two actions that send with the same bot, when the contact writes, then the bot is added once', () => {
    const events = given(actions, [contact('m1', T0)]).when(onMessage('m1', T0, [inHours(greet('a')), inHours(greet('b'))]));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested', 'TimerFired', 'BotMessageRequested']);
    expect(added(events)).toEqual([{ kind: 'bot', id: 'helper' }]);
  });

  it('A1 given a message out of hours, when it runs the actions, then only the out-of-hours ones run', () => {
    const configured = [inHours(greet('day')), outOfHours(greet('night', { task: { type: 'add_members', agentIds: ['alice'] } }))];
    const events = given(actions, [contact('m1', T0, 'out_of_hours')]).when(onMessage('m1', T0, configured, 'out_of_hours'));
    expect(events.flatMap((e) => (e.type === 'TimerFired' ? [e.data.actionId] : []))).toEqual(['night']);
  });

  it('A6 given an onlyOnce action that ran, when the contact writes again, then nothing runs', () => {
    const once = [inHours(greet('welcome', { onlyOnce: true }))];
    expect(given(actions, [contact('m1', T0), ran('welcome', T0), contact('m2', T0 + 60 * S)]).when(onMessage('m2', T0 + 60 * S, once))).toEqual([]);
  });

  it('A6 an action that ran before it was made onlyOnce counts as run', () => {
    const once = [inHours(greet('welcome', { onlyOnce: true }))];
    expect(given(actions, [ran('welcome', T0), contact('m2', T0 + S)]).when(onMessage('m2', T0 + S, once))).toEqual([]);
  });

  it('A7 given an armed timer, when it is due, then it runs with the due time it measured', () => {
    const waiting = [inHours(greet('nudge', { conditions: [noReply(60)] }))];
    const events = given(actions, [contact('m1', T0)]).when(fire('nudge', T0 + 60 * S + 3, waiting));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
    const [fired] = events;
    expect(fired?.type === 'TimerFired' && fired.data).toMatchObject({ timerId: `${CONVERSATION}:nudge`, actionId: 'nudge', dueAt: new Date(T0 + 60 * S).toISOString() });
  });

  it('A7 given an armed timer, when its action was removed from the configuration, then nothing runs', () => {
    expect(given(actions, [contact('m1', T0)]).when(fire('nudge', T0 + 61 * S, [inHours(greet('other', { conditions: [noReply(60)] }))]))).toEqual([]);
    expect(given(actions, [contact('m1', T0)]).when(fire('nudge', T0 + 61 * S, []))).toEqual([]);
  });

  it('A7 given a reply that came first, when the timer is due, then nothing runs', () => {
    const waiting = [inHours(greet('nudge', { conditions: [noReply(60)] }))];
    expect(given(actions, [contact('m1', T0), agentReply(T0 + 30 * S)]).when(fire('nudge', T0 + 60 * S, waiting))).toEqual([]);
  });

  it('A7 property: a timer never runs before its due time, and runs at or after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 86_400 }), fc.integer({ min: -86_400_000, max: 86_400_000 }), (seconds, offset) => {
        const waiting = [inHours(greet('nudge', { conditions: [noReply(seconds)] }))];
        const due = T0 + seconds * S;
        const events = given(actions, [contact('m1', T0)]).when(fire('nudge', due + offset, waiting));
        expect(events.length > 0).toBe(offset >= 0);
      }),
    );
  });

  it('A3 given a run, when the timer fires again, then nothing runs until the next contact message', () => {
    const waiting = [inHours(greet('nudge', { conditions: [noReply(60)] }))];
    expect(given(actions, [contact('m1', T0), ran('nudge', T0 + 60 * S)]).when(fire('nudge', T0 + 200 * S, waiting))).toEqual([]);
    expect(given(actions, [contact('m1', T0), ran('nudge', T0 + 60 * S), contact('m2', T0 + 100 * S)]).when(fire('nudge', T0 + 160 * S, waiting)).length).toBeGreaterThan(0);
  });
});

describe('A2 what the log is to the actions (activityFactOf)', () => {
  const AT = '2026-11-24T10:00:00.000Z';
  const sent = (kind: 'agent' | 'bot') => makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId: `${kind}-1`, sender: { kind, id: 'x' }, text: 'hi', sentAt: AT });

  it("A2 an agent's message is a reply and activity; a bot's message is neither", () => {
    expect(activityFactOf(sent('agent'), () => 'working_hours')).toEqual({ type: 'agent_message', at: Date.parse(AT) });
    expect(activityFactOf(sent('bot'), () => 'working_hours')).toBeUndefined();
  });

  it('A1 a contact message comes in the period its receivedAt falls in', () => {
    const periods: Date[] = [];
    const fact = activityFactOf(message('m1', T0), (at) => (periods.push(at), 'out_of_hours'));
    expect(fact).toEqual({ type: 'contact_message', id: 'm1', at: T0, period: 'out_of_hours', channel: 'sms' });
    expect(periods).toEqual([new Date(T0)]);
  });

  it('A3 a run is read back from its TimerFired', () => {
    const fired = makeEvent('TimerFired', TENANT, { timerId: `${CONVERSATION}:nudge`, conversationId: CONVERSATION, actionId: 'nudge', dueAt: AT, firedAt: AT });
    expect(activityFactOf(fired, () => 'working_hours')).toEqual({ type: 'action_ran', actionId: 'nudge', at: Date.parse(AT) });
  });
});
