import type { ContactMessageAppended } from '@kite/contracts';
import type { Decider } from '../decider.js';
import type { Period } from '../working-hours/working-hours.js';
import { dueAt, immediateActions, runAction, type PeriodAction, type TaskEvent } from './actions.decide.js';
import { activityFactOf, evolveActivity, initialActivity, type Activity, type ActivityFact } from './activity.js';

/** Where the actions are asked to run; the number's actions as configured now and the time come with the question. */
interface ActionsContext {
  tenant: string;
  conversationId: string;
  /** The actions of the configuration in force for the conversation's number (none when it has none: A7). */
  actions: readonly PeriodAction[];
  now: number;
}

/** A contact's message, already part of the state, in the period it came in: the actions without conditions run on it (A3). */
export interface RunOnMessage extends ActionsContext {
  type: 'RunOnMessage';
  message: ContactMessageAppended;
  period: Period;
}

/** An action's timer is due (A7). */
export interface FireTimer extends ActionsContext {
  type: 'FireTimer';
  actionId: string;
}

export type ActionsCommand = RunOnMessage | FireTimer;

/** The state after a run, without waiting for its events to come back through the log: the run itself (its `TimerFired`) and the members it added. */
export const activityAfterRun = (state: Activity, events: readonly TaskEvent[]): Activity =>
  events.reduce((s, e) => {
    // A run holds no contact message: no period is ever asked for.
    const fact = activityFactOf(e, () => 'working_hours');
    return fact ? evolveActivity(s, fact) : s;
  }, state);

function runOnMessage({ tenant, conversationId, actions, now, message, period }: RunOnMessage, state: Activity): TaskEvent[] {
  const events: TaskEvent[] = [];
  for (const action of immediateActions(actions, period, state)) {
    const run = runAction(tenant, conversationId, action, state, { runId: `${conversationId}:${action.action.id}:${message.data.messageId}`, firedAt: now, cause: message });
    events.push(...run);
    state = activityAfterRun(state, run); // a second action sees the bot the first one added
  }
  return events;
}

/**
 * A7: the action is looked up in the configuration as it is now (removed: nothing runs) and its
 * conditions measured again (no longer armed, or due later: nothing runs yet; the timers follow
 * the state, `plannedTimers`). A timer never runs early.
 */
function fireTimer({ tenant, conversationId, actions, now, actionId }: FireTimer, state: Activity): TaskEvent[] {
  const action = actions.find((a) => a.action.id === actionId);
  const due = action && dueAt(action, state);
  if (!action || due === undefined || due > now) return [];
  const timerId = `${conversationId}:${actionId}`;
  return runAction(tenant, conversationId, action, state, { runId: `${timerId}:${due}`, firedAt: now, timer: { timerId, dueAt: due } });
}

/**
 * Actions (A1–A7): a conversation's activity is the state; a contact message runs the actions
 * without conditions of its period, a due timer runs its action if it still holds. The timers a
 * store must hold follow from the state alone (`plannedTimers`).
 */
export const actions: Decider<ActionsCommand, TaskEvent, Activity, ActivityFact> = {
  initialState: initialActivity(),
  decide(command, state) {
    switch (command.type) {
      case 'RunOnMessage':
        return runOnMessage(command, state);
      case 'FireTimer':
        return fireTimer(command, state);
      default: {
        const never: never = command;
        return never;
      }
    }
  },
  evolve: evolveActivity,
};
