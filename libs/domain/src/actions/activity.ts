import type { Channel, ConversationEvent } from '@kite/contracts';
import { windowAfterContactMessage } from '../whatsapp/window.js';
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
 * action its last run (A3; any run at all bars an `onlyOnce` action for good, A6).
 */
export interface Activity {
  contactMessages: readonly ContactMessage[];
  lastAgentMessageAt?: number | undefined;
  lastActivityAt?: number | undefined;
  lastRunAt: Readonly<Record<string, number>>;
  members: readonly string[];
  /** The channel a bot's message would leave on (O1): the contact's last, else the one the conversation was created on. */
  replyChannel?: Channel | undefined;
  /** W1: until when the WhatsApp window is open (epoch ms). */
  whatsappWindowUntil?: number | undefined;
}

export const initialActivity = (): Activity => ({ contactMessages: [], lastRunAt: {}, members: [] });

/** The most contact messages kept; replied and read ones go first (they no longer arm anything). */
const KEPT = 1000;

function prune(messages: ContactMessage[], lastAgentMessageAt: number | undefined): ContactMessage[] {
  if (messages.length <= KEPT) return messages;
  const settled = (m: ContactMessage) => m.read && m.at <= (lastAgentMessageAt ?? -Infinity);
  const open = messages.filter((m) => !settled(m));
  return open.length >= KEPT ? open.slice(-KEPT) : [...messages.filter(settled).slice(-(KEPT - open.length)), ...open].sort((a, b) => a.at - b.at);
}

export type ActivityFact =
  | { type: 'conversation_created'; channel: Channel | 'call' }
  | { type: 'contact_message'; id: string; at: number; period: Period; channel: Channel }
  | { type: 'keyword_message'; at: number; channel: Channel }
  | { type: 'agent_message'; at: number }
  | { type: 'read'; messageId: string; at: number }
  | { type: 'members_added'; members: readonly string[] }
  | { type: 'member_removed'; member: string }
  | { type: 'action_ran'; actionId: string; at: number };

/**
 * A2, A3: what an event of a conversation's log is to the actions. Bot messages are neither replies
 * nor activity; a run is read back from its `TimerFired`. `period` is the contact message's period
 * (R1 at its `receivedAt`, under the configuration of the number it came on).
 */
export function activityFactOf(event: ConversationEvent, period: (receivedAt: Date) => Period): ActivityFact | undefined {
  switch (event.type) {
    case 'ConversationCreated':
      return { type: 'conversation_created', channel: event.data.channel };
    case 'ContactMessageAppended':
      // P5: a consent keyword arms nothing; it still opens the WhatsApp window (W1).
      if (event.data.keyword) return { type: 'keyword_message', at: Date.parse(event.data.receivedAt), channel: event.data.channel };
      return { type: 'contact_message', id: event.data.messageId, at: Date.parse(event.data.receivedAt), period: period(new Date(event.data.receivedAt)), channel: event.data.channel };
    case 'ChatMessageSent':
      return event.data.sender.kind === 'agent' ? { type: 'agent_message', at: Date.parse(event.data.sentAt) } : undefined;
    case 'ChatMessageRead':
      return { type: 'read', messageId: event.data.messageId, at: Date.parse(event.data.readAt) };
    case 'MembersAdded':
      return { type: 'members_added', members: event.data.members.map((m) => `${m.kind}:${m.id}`) };
    case 'MemberJoined':
      return { type: 'members_added', members: [`${event.data.member.kind}:${event.data.member.id}`] };
    case 'MemberRemoved':
      return { type: 'member_removed', member: `${event.data.member.kind}:${event.data.member.id}` };
    case 'TimerFired':
      return { type: 'action_ran', actionId: event.data.actionId, at: Date.parse(event.data.firedAt) };
    default:
      return undefined;
  }
}

/** A6: whether the action ever ran in the conversation. */
export const hasRun = (activity: Activity, actionId: string): boolean => activity.lastRunAt[actionId] !== undefined;

export function evolveActivity(state: Activity, fact: ActivityFact): Activity {
  switch (fact.type) {
    case 'conversation_created':
      // O1: with no contact message yet, a reply leaves on the channel the conversation was created for (a call's: SMS).
      return state.replyChannel ? state : { ...state, replyChannel: fact.channel === 'whatsapp' ? 'whatsapp' : 'sms' };
    case 'contact_message':
      if (state.contactMessages.some((m) => m.id === fact.id)) return state;
      return {
        ...state,
        replyChannel: fact.channel,
        whatsappWindowUntil: windowAfterContactMessage(state.whatsappWindowUntil, fact.channel, fact.at),
        contactMessages: prune([...state.contactMessages, { id: fact.id, at: fact.at, period: fact.period, read: false }], state.lastAgentMessageAt),
        lastActivityAt: Math.max(state.lastActivityAt ?? 0, fact.at),
      };
    case 'keyword_message':
      return { ...state, replyChannel: fact.channel, whatsappWindowUntil: windowAfterContactMessage(state.whatsappWindowUntil, fact.channel, fact.at) };
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
      return { ...state, lastRunAt: { ...state.lastRunAt, [fact.actionId]: Math.max(state.lastRunAt[fact.actionId] ?? -Infinity, fact.at) } };
    default: {
      const never: never = fact;
      return never;
    }
  }
}
