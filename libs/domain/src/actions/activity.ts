import type { Period } from '../working-hours/working-hours.js';

/** A contact message as the actions see it: when it came, in which period, whether an agent read it. */
export interface ContactMessage {
  id: string;
  at: number;
  period: Period;
  read: boolean;
}

/**
 * A conversation's activity, as actions measure it (A2): contact messages (the latest ones), the
 * last agent message, the last activity (contact or agent; bot messages count for neither), and per
 * action its last run and whether an `onlyOnce` action has run for good.
 */
export interface Activity {
  contactMessages: readonly ContactMessage[];
  lastAgentMessageAt?: number | undefined;
  lastActivityAt?: number | undefined;
  lastRunAt: Readonly<Record<string, number>>;
  ranOnce: readonly string[];
  members: readonly string[];
}

export const initialActivity = (): Activity => ({ contactMessages: [], lastRunAt: {}, ranOnce: [], members: [] });

/** The most contact messages kept; replied and read ones go first (they no longer arm anything). */
const KEPT = 1000;

function prune(messages: ContactMessage[], lastAgentMessageAt: number | undefined): ContactMessage[] {
  if (messages.length <= KEPT) return messages;
  const settled = (m: ContactMessage) => m.read && m.at <= (lastAgentMessageAt ?? -Infinity);
  const open = messages.filter((m) => !settled(m));
  return open.length >= KEPT ? open.slice(-KEPT) : [...messages.filter(settled).slice(-(KEPT - open.length)), ...open].sort((a, b) => a.at - b.at);
}

export type ActivityFact =
  | { type: 'contact_message'; id: string; at: number; period: Period }
  | { type: 'agent_message'; at: number }
  | { type: 'read'; messageId: string; at: number }
  | { type: 'members_added'; members: readonly string[] }
  | { type: 'member_removed'; member: string }
  | { type: 'action_ran'; actionId: string; at: number; onlyOnce: boolean };

export function evolveActivity(state: Activity, fact: ActivityFact): Activity {
  switch (fact.type) {
    case 'contact_message':
      if (state.contactMessages.some((m) => m.id === fact.id)) return state;
      return {
        ...state,
        contactMessages: prune([...state.contactMessages, { id: fact.id, at: fact.at, period: fact.period, read: false }], state.lastAgentMessageAt),
        lastActivityAt: Math.max(state.lastActivityAt ?? 0, fact.at),
      };
    case 'agent_message':
      return { ...state, lastAgentMessageAt: Math.max(state.lastAgentMessageAt ?? 0, fact.at), lastActivityAt: Math.max(state.lastActivityAt ?? 0, fact.at) };
    case 'read': {
      // A2: reading a message reads every earlier one.
      const index = state.contactMessages.findIndex((m) => m.id === fact.messageId);
      const cutoff = index >= 0 ? state.contactMessages[index]!.at : fact.at;
      return { ...state, contactMessages: state.contactMessages.map((m) => (m.at <= cutoff && !m.read ? { ...m, read: true } : m)) };
    }
    case 'members_added':
      return { ...state, members: [...state.members, ...fact.members.filter((m) => !state.members.includes(m))] };
    case 'member_removed':
      return { ...state, members: state.members.filter((m) => m !== fact.member) };
    case 'action_ran':
      return {
        ...state,
        lastRunAt: { ...state.lastRunAt, [fact.actionId]: Math.max(state.lastRunAt[fact.actionId] ?? -Infinity, fact.at) },
        ranOnce: fact.onlyOnce && !state.ranOnce.includes(fact.actionId) ? [...state.ranOnce, fact.actionId] : state.ranOnce,
      };
    default: {
      const never: never = fact;
      return never;
    }
  }
}
