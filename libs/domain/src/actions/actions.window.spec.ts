import { describe, expect, it } from '@jest/globals';
import { makeEvent, type Channel, type Condition, type ConfiguredAction, type ConversationEvent, type TemplateRef } from '@kite/contracts';
import fc from 'fast-check';
import { given, stateAfter } from '../decider.js';
import { WHATSAPP_WINDOW_MS } from '../whatsapp/window.js';
import { dueAt, type PeriodAction } from './actions.decide.js';
import { actions, type FireTimer } from './actions.decider.js';
import { activityFactOf, type ActivityFact } from './activity.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
const S = 1_000;
const HOUR = 3_600 * S;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const DAY = 86_400;
const fallback: TemplateRef = { name: 'follow_up', language: 'en_US', parameters: ['there'] };

const created = (channel: Channel | 'call'): ActivityFact => ({ type: 'conversation_created', channel });
const contact = (id: string, at: number, channel: Channel = 'whatsapp'): ActivityFact => ({ type: 'contact_message', id, at, period: 'working_hours', channel });
const condition = (type: Condition['type'], afterSeconds: number): Condition => ({ type, afterSeconds });
const nudge = (conditions: Condition[], template?: TemplateRef): PeriodAction => ({
  period: 'working_hours',
  action: { id: 'nudge', onlyOnce: false, conditions, task: { type: 'send_message', botId: 'helper', text: 'Still there?', ...(template ? { fallbackTemplate: template } : {}) } } as ConfiguredAction,
});
const supervisor = (conditions: Condition[]): PeriodAction => ({ period: 'working_hours', action: { id: 'escalate', onlyOnce: false, conditions, task: { type: 'add_members', agentIds: ['sam'] } } });
const fire = (action: PeriodAction, now: number): FireTimer => ({ type: 'FireTimer', tenant: TENANT, conversationId: CONVERSATION, actions: [action], now, actionId: action.action.id });
const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe('W4 a send_message action past the WhatsApp window', () => {
  it('W4 given a WhatsApp message and no reply for a day, when the timer fires, then the fallback template is requested instead of the text', () => {
    const action = nudge([condition('no_reply', DAY)], fallback);
    const events = given(actions, [created('whatsapp'), contact('m1', T0)]).when(fire(action, T0 + DAY * S));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
    expect(events.at(-1)).toMatchObject({ type: 'BotMessageRequested', data: { text: 'Still there?', template: fallback } });
  });

  it('W4 without a fallback template, the run is recorded as skipped with its reason, and nothing is asked of the bot', () => {
    const events = given(actions, [created('whatsapp'), contact('m1', T0)]).when(fire(nudge([condition('no_reply', DAY)]), T0 + DAY * S));
    expect(types(events)).toEqual(['TimerFired', 'ActionSkipped']);
    expect(events[1]).toMatchObject({ data: { conversationId: CONVERSATION, actionId: 'nudge', timerId: `${CONVERSATION}:nudge`, reason: 'whatsapp_window_closed' } });
  });

  it('W4 within the window the text goes as before, without a template', () => {
    const events = given(actions, [created('whatsapp'), contact('m1', T0)]).when(fire(nudge([condition('no_reply', 900)], fallback), T0 + 900 * S));
    expect(events.at(-1)).toMatchObject({ type: 'BotMessageRequested', data: { text: 'Still there?' } });
    expect(events.at(-1)!.data).not.toHaveProperty('template');
  });

  it('W4 a conversation whose replies leave by SMS has no window to miss', () => {
    const events = given(actions, [created('sms'), contact('m1', T0, 'sms')]).when(fire(nudge([condition('no_reply', DAY)]), T0 + DAY * S));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded', 'BotMessageRequested']);
  });

  it('W4 the channel replies leave on follows the contact: the last message by SMS makes an old WhatsApp window irrelevant', () => {
    const events = given(actions, [created('whatsapp'), contact('m1', T0), contact('m2', T0 + HOUR, 'sms')]).when(fire(nudge([condition('no_reply', DAY)]), T0 + HOUR + DAY * S));
    expect(types(events)).toContain('BotMessageRequested');
  });

  it('W4 the skip is read back from the log as a run: the action waits for the next contact message (A3)', () => {
    const action = nudge([condition('no_reply', DAY)]);
    const run = given(actions, [created('whatsapp'), contact('m1', T0)]).when(fire(action, T0 + DAY * S));
    const facts = run.flatMap((e) => [activityFactOf(e as ConversationEvent, () => 'working_hours')].filter((f): f is ActivityFact => f !== undefined));
    const after = stateAfter(actions, [created('whatsapp'), contact('m1', T0), ...facts]);
    expect(dueAt(action, after)).toBeUndefined();
  });
});

describe('W5 the window_closing condition', () => {
  it('W5 alone, it is due T before the window closes', () => {
    const state = stateAfter(actions, [created('whatsapp'), contact('m1', T0)]);
    expect(dueAt(supervisor([condition('window_closing', HOUR / S)]), state)).toBe(T0 + WHATSAPP_WINDOW_MS - HOUR);
  });

  it('W5 with no_reply: "no reply in 2 hours, and the window closes within an hour" is due when both hold', () => {
    const state = stateAfter(actions, [created('whatsapp'), contact('m1', T0)]);
    expect(dueAt(supervisor([condition('no_reply', 2 * HOUR / S), condition('window_closing', HOUR / S)]), state)).toBe(T0 + 23 * HOUR);
  });

  it('W5 never armed when the window would close before the other conditions hold, or was never opened', () => {
    const whatsapp = stateAfter(actions, [created('whatsapp'), contact('m1', T0)]);
    const sms = stateAfter(actions, [created('sms'), contact('m1', T0, 'sms')]);
    expect(dueAt(supervisor([condition('no_reply', DAY), condition('window_closing', HOUR / S)]), whatsapp)).toBeUndefined();
    expect(dueAt(supervisor([condition('window_closing', HOUR / S)]), sms)).toBeUndefined();
  });

  it('W5 a new WhatsApp message reopens the window and moves the timer', () => {
    const state = stateAfter(actions, [created('whatsapp'), contact('m1', T0), contact('m2', T0 + 5 * HOUR)]);
    expect(dueAt(supervisor([condition('window_closing', HOUR / S)]), state)).toBe(T0 + 5 * HOUR + WHATSAPP_WINDOW_MS - HOUR);
  });

  it('W5 whenever it is due, the window is still open then, for any T and any other condition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: DAY }), fc.integer({ min: 5, max: DAY }), fc.constantFrom<Condition['type']>('no_reply', 'not_read', 'no_activity'), (t, other, type) => {
        const state = stateAfter(actions, [created('whatsapp'), contact('m1', T0)]);
        const due = dueAt(supervisor([condition(type, other), condition('window_closing', t)]), state);
        if (due !== undefined) expect(due).toBeLessThan(T0 + WHATSAPP_WINDOW_MS);
        expect(due).toBe(T0 + other * S < T0 + WHATSAPP_WINDOW_MS ? Math.max(T0 + other * S, T0 + WHATSAPP_WINDOW_MS - t * S) : undefined);
      }),
    );
  });

  it('W5 after a run, a contact message that does not move the window (an SMS) arms nothing: the same window closes once', () => {
    const action = supervisor([condition('window_closing', HOUR / S)]);
    const ranAt = T0 + 23 * HOUR;
    const state = stateAfter(actions, [created('whatsapp'), contact('m1', T0), { type: 'action_ran', actionId: 'escalate', at: ranAt }, contact('m2', ranAt + 60 * S, 'sms')]);
    expect(dueAt(action, state)).toBeUndefined();
    const reopened = stateAfter(actions, [created('whatsapp'), contact('m1', T0), { type: 'action_ran', actionId: 'escalate', at: ranAt }, contact('m3', ranAt + 60 * S)]);
    expect(dueAt(action, reopened)).toBe(ranAt + 60 * S + WHATSAPP_WINDOW_MS - HOUR);
  });

  it('W5 when the timer fires, the action runs like any other (A7)', () => {
    const events = given(actions, [created('whatsapp'), contact('m1', T0)]).when(fire(supervisor([condition('window_closing', HOUR / S)]), T0 + 23 * HOUR));
    expect(types(events)).toEqual(['TimerFired', 'MembersAdded']);
  });
});

describe('W1 what the actions read of the conversation', () => {
  it('W1 the ConversationCreated and contact messages of the log give the reply channel and the window', () => {
    const createdEvent = makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: '+15557654321', serviceId: 'sales', channel: 'whatsapp', number: '+15551230002', origin: 'inbound' });
    expect(activityFactOf(createdEvent, () => 'working_hours')).toEqual(created('whatsapp'));
    const state = stateAfter(actions, [created('call')]);
    expect(state.replyChannel).toBe('sms');
  });
});
