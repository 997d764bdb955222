import type { ConversationEvent, OutboundMessageRejected, OutboundMessageRequested } from '@kite/contracts';
import type { Decider } from '../decider.js';
import { withNew } from '../lists.js';
import { windowAfterContactMessage } from '../whatsapp/window.js';
import { decideOutbound, type ConversationForOutbound, type OutboundContext, type OutboundMessage } from './outbound.decide.js';

/** What outbound resolution knows of a conversation: the conversation as O1 reads it (once created) and the message ids routed already (O2). */
export interface OutboundState {
  conversation: ConversationForOutbound | undefined;
  routed: ReadonlySet<string>;
}

/** An agent's or a bot's message must leave over SMS or WhatsApp; the tenant's numbers and the service's dialplan come with it. */
export interface SendMessage {
  tenant: string;
  message: OutboundMessage;
  context: OutboundContext;
  /** When it is decided (epoch ms). */
  now: number;
}

type OutboundDecision = OutboundMessageRequested | OutboundMessageRejected;

/**
 * O1: the messages that must leave: an agent's or a bot's `ChatMessageSent` (its `messageId`), a
 * `BotMessageRequested` (its event id). Contact messages and everything else never do.
 */
export function messageToSend(event: ConversationEvent): OutboundMessage | undefined {
  if (event.type === 'ChatMessageSent') return { messageId: event.data.messageId, text: event.data.text, at: Date.parse(event.data.sentAt), template: event.data.template, cause: event };
  if (event.type === 'BotMessageRequested') return { messageId: event.id, text: event.data.text, at: Date.parse(event.occurredAt), template: event.data.template, cause: event };
  return undefined;
}

/** The conversation as O1 reads it after one more event of its log: created, linked, detached (L6), the contact's last channel, its WhatsApp window (W1). */
export function evolveConversationForOutbound(conversation: ConversationForOutbound | undefined, event: ConversationEvent): ConversationForOutbound | undefined {
  switch (event.type) {
    case 'ConversationCreated': {
      if (conversation) return conversation;
      const { conversationId, contact, serviceId, channel, number } = event.data;
      return { conversationId, contact, serviceId, links: channel !== 'call' && number ? [`${channel}:${number}`] : [], detached: [], lastChannel: undefined, createdOn: channel };
    }
    case 'ConversationLinked': {
      const links = conversation && withNew(conversation.links, [`${event.data.channel}:${event.data.number}`]);
      return conversation && links !== conversation.links ? { ...conversation, links: links! } : conversation;
    }
    case 'ConversationDetached': {
      const detached = conversation && withNew(conversation.detached, [event.data.number]);
      return conversation && detached !== conversation.detached ? { ...conversation, detached: detached! } : conversation;
    }
    case 'ContactMessageAppended': {
      if (!conversation) return conversation;
      const whatsappWindowUntil = windowAfterContactMessage(conversation.whatsappWindowUntil, event.data.channel, Date.parse(event.data.receivedAt));
      const unchanged = conversation.lastChannel === event.data.channel && whatsappWindowUntil === conversation.whatsappWindowUntil;
      return unchanged ? conversation : { ...conversation, lastChannel: event.data.channel, whatsappWindowUntil };
    }
    default:
      return conversation;
  }
}

/**
 * Outbound (O1, O2): each message that must leave is routed once by its id, from the number O1
 * resolves, or refused with its reason. A message of a conversation not created yet cannot be
 * routed: an error, so it is tried again and then set aside, never dropped.
 */
export const outbound: Decider<SendMessage, OutboundDecision, OutboundState, ConversationEvent> = {
  initialState: { conversation: undefined, routed: new Set() },
  decide({ tenant, message, context, now }, { conversation, routed }) {
    if (routed.has(message.messageId)) return []; // O2: once per message id
    if (!conversation) throw new Error(`conversation of ${message.cause.id} is not known here yet`);
    // W2: judged at its own time, or now if later: a message decided late leaves late, and the provider judges when it sends.
    return [decideOutbound(tenant, { ...message, at: Math.max(message.at, now) }, conversation, context)];
  },
  evolve(state, event) {
    const conversation = evolveConversationForOutbound(state.conversation, event);
    const routed = event.type === 'OutboundMessageRequested' || event.type === 'OutboundMessageRejected' ? new Set([...state.routed, event.data.messageId]) : state.routed;
    return conversation === state.conversation && routed === state.routed ? state : { conversation, routed };
  },
};
