import { deterministicId, makeEvent, type ActionSkipped, type BotMessageRequested, type Condition, type ConfiguredAction, type MembersAdded, type NumberConfiguration, type TimerFired } from '@kite/contracts';
import { isWindowOpen } from '../whatsapp/window.js';
import type { Period } from '../working-hours/working-hours.js';
import { hasRun, type Activity, type ContactMessage } from './activity.js';

/** An action with the period whose messages arm it (A1). */
export interface PeriodAction {
  period: Period;
  action: ConfiguredAction;
}

export function actionsOf(configuration: NumberConfiguration | undefined): PeriodAction[] {
  if (!configuration) return [];
  return [
    ...configuration.workingHours.actions.map((action) => ({ period: 'working_hours' as const, action })),
    ...(configuration.outOfHours?.actions ?? []).map((action) => ({ period: 'out_of_hours' as const, action })),
  ];
}

/**
 * A2, A3, W5: when the action's conditions will all hold, counting only messages since its last
 * run; undefined when it is not armed: no contact message of its period since its last run, a
 * condition with nothing to measure (every message replied or read, no WhatsApp window), the
 * WhatsApp window closing before the other conditions hold (W5), an `onlyOnce` action that ran
 * (A6), or an action without conditions (those run on the message itself).
 */
export function dueAt({ period, action }: PeriodAction, activity: Activity): number | undefined {
  if (action.conditions.length === 0) return undefined;
  if (action.onlyOnce && hasRun(activity, action.id)) return undefined;
  const since = activity.lastRunAt[action.id] ?? -Infinity;
  const messages = activity.contactMessages.filter((m) => m.at > since);
  if (!messages.some((m) => m.period === period)) return undefined;
  let due = -Infinity;
  for (const condition of action.conditions) {
    const conditionDue = dueOf(condition, messages, activity, since);
    if (conditionDue === undefined) return undefined;
    due = Math.max(due, conditionDue);
  }
  // W5: "the window closes within T" holds only while it is still open.
  const closing = action.conditions.some((c) => c.type === 'window_closing');
  return closing && !isWindowOpen(activity.whatsappWindowUntil, due) ? undefined : due;
}

/** When one condition will hold: T after its reference (A2), or T before the WhatsApp window closes (W5). */
function dueOf({ type, afterSeconds }: Condition, messages: readonly ContactMessage[], activity: Activity, since: number): number | undefined {
  if (type === 'window_closing') {
    // Measured, like the others, since the last run: the same window closing again arms nothing.
    const due = activity.whatsappWindowUntil === undefined ? undefined : activity.whatsappWindowUntil - afterSeconds * 1000;
    return due !== undefined && due > since ? due : undefined;
  }
  const reference = referenceOf(type, messages, activity, since);
  return reference === undefined ? undefined : reference + afterSeconds * 1000;
}

/** By time, not by arrival: a late message may be the oldest. */
const oldest = (messages: readonly ContactMessage[]): number | undefined => (messages.length ? Math.min(...messages.map((m) => m.at)) : undefined);

function referenceOf(type: 'no_reply' | 'not_read' | 'no_activity', messages: readonly ContactMessage[], activity: Activity, since: number): number | undefined {
  switch (type) {
    case 'no_reply': // the oldest contact message no agent message has followed
      return oldest(messages.filter((m) => m.at > (activity.lastAgentMessageAt ?? -Infinity)));
    case 'not_read': // the oldest contact message no agent has read
      return oldest(messages.filter((m) => !m.read));
    case 'no_activity': // the last message from the contact or an agent
      return activity.lastActivityAt !== undefined && activity.lastActivityAt > since ? activity.lastActivityAt : undefined;
  }
}

/** Every armed action's due time: what the timer store must hold for the conversation (arm, move, cancel). */
export function plannedTimers(actions: readonly PeriodAction[], activity: Activity): Map<string, number> {
  const planned = new Map<string, number>();
  for (const a of actions) {
    const due = dueAt(a, activity);
    if (due !== undefined) planned.set(a.action.id, due);
  }
  return planned;
}

/** A3: the actions without conditions of a contact message's period run on the message itself. */
export function immediateActions(actions: readonly PeriodAction[], period: Period, activity: Activity): PeriodAction[] {
  return actions.filter((a) => a.period === period && a.action.conditions.length === 0 && !(a.action.onlyOnce && hasRun(activity, a.action.id)));
}

export type TaskEvent = TimerFired | MembersAdded | BotMessageRequested | ActionSkipped;

/**
 * A4, A5, W4: the task of an action that runs. `send_message` adds its bot first when it is not a
 * member (also after an agent removed it, or the PBX deleted it), then asks it to post the text
 * (over WhatsApp with its window closed: its fallback template, or, without one, the run is skipped);
 * `add_members` adds the agents not yet present, silently. `timer` names the timer that fired, if
 * the action waited for one; one without conditions is announced as a timer due at once. Ids derive from the run, so a retried run decides the same events.
 */
export function runAction(
  tenant: string,
  conversationId: string,
  { action }: PeriodAction,
  activity: Activity,
  run: { runId: string; firedAt: number; timer?: { timerId: string; dueAt: number } | undefined; cause?: { id: string; correlationId?: string | undefined } | undefined },
): TaskEvent[] {
  const id = (what: string) => deterministicId(tenant, 'action-run', run.runId, what);
  const occurredAt = new Date(run.firedAt).toISOString();
  const causation = (what: string) => ({ ...(run.cause ? { cause: run.cause } : {}), id: id(what), occurredAt });
  // Every run is announced (an action without conditions as a timer due at once), and the
  // scheduler's projection records the run from it: the log, not a side table, says what ran.
  const timer = run.timer ?? { timerId: `${conversationId}:${action.id}`, dueAt: run.firedAt };
  const events: TaskEvent[] = [
    makeEvent('TimerFired', tenant, { timerId: timer.timerId, conversationId, actionId: action.id, dueAt: new Date(timer.dueAt).toISOString(), firedAt: occurredAt }, causation('fired')),
  ];
  const task = action.task;
  if (task.type === 'send_message') {
    // W4: past the WhatsApp window, the fallback template goes instead, or the run is skipped, said on the timeline.
    const windowClosed = activity.replyChannel === 'whatsapp' && !isWindowOpen(activity.whatsappWindowUntil, run.firedAt);
    if (windowClosed && !task.fallbackTemplate) {
      events.push(makeEvent('ActionSkipped', tenant, { conversationId, actionId: action.id, timerId: timer.timerId, reason: 'whatsapp_window_closed' }, causation('skipped')));
      return events;
    }
    if (!activity.members.includes(`bot:${task.botId}`)) {
      events.push(makeEvent('MembersAdded', tenant, { conversationId, members: [{ kind: 'bot', id: task.botId }], reason: 'action', silent: false }, causation('bot')));
    }
    const template = windowClosed ? { template: task.fallbackTemplate } : {};
    events.push(makeEvent('BotMessageRequested', tenant, { conversationId, botId: task.botId, text: task.text, actionId: action.id, ...template }, causation('message')));
  } else {
    const absent = [...new Set(task.agentIds)].filter((agentId) => !activity.members.includes(`agent:${agentId}`));
    if (absent.length) events.push(makeEvent('MembersAdded', tenant, { conversationId, members: absent.map((agentId) => ({ kind: 'agent' as const, id: agentId })), reason: 'action', silent: true }, causation('members')));
  }
  return events;
}
