import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { Channel, E164, ExternalId, Instant, Member } from './primitives.js';
import { TemplateRef } from './whatsapp-templates.js';

/** Events the system publishes on `kite.out.<tenant>.…` (docs/contract.md). */
export const ConversationCreatedData = z.object({
  conversationId: ExternalId,
  contact: E164,
  serviceId: ExternalId,
  /** Absent when no number can serve the conversation yet (an agent's or a call's, L4 L5): its outbound is refused with `no_route` until one can (O1). */
  number: E164.optional(),
  channel: z.enum(['sms', 'whatsapp', 'call']),
  origin: z.enum(['inbound', 'call', 'agent']),
});
export const ConversationCreated = envelopeOf('ConversationCreated', ConversationCreatedData);
export type ConversationCreated = z.infer<typeof ConversationCreated>;

export const ConversationLinkedData = z.object({ conversationId: ExternalId, channel: Channel, number: E164 });
export const ConversationLinked = envelopeOf('ConversationLinked', ConversationLinkedData);
export type ConversationLinked = z.infer<typeof ConversationLinked>;

export const MembersAddedData = z.object({
  conversationId: ExternalId,
  members: z.array(Member).min(1),
  reason: z.enum(['routing', 'action', 'create']),
  silent: z.boolean(),
});
export const MembersAdded = envelopeOf('MembersAdded', MembersAddedData);
export type MembersAdded = z.infer<typeof MembersAdded>;

export const ConversationDetachedData = z.object({ conversationId: ExternalId, number: E164, reason: z.literal('linked_service_changed') });
export const ConversationDetached = envelopeOf('ConversationDetached', ConversationDetachedData);
export type ConversationDetached = z.infer<typeof ConversationDetached>;

export const BotReplyRequestedData = z.object({ conversationId: ExternalId, botId: ExternalId, messageId: ExternalId });
export const BotReplyRequested = envelopeOf('BotReplyRequested', BotReplyRequestedData);
export type BotReplyRequested = z.infer<typeof BotReplyRequested>;

/** `template`: the action's fallback template, sent because the WhatsApp window was closed (W4). */
export const BotMessageRequestedData = z.object({ conversationId: ExternalId, botId: ExternalId, text: z.string().min(1).max(1600), actionId: ExternalId, template: TemplateRef.optional() });
export const BotMessageRequested = envelopeOf('BotMessageRequested', BotMessageRequestedData);
export type BotMessageRequested = z.infer<typeof BotMessageRequested>;

export const TimerFiredData = z.object({ timerId: ExternalId, conversationId: ExternalId, actionId: ExternalId, dueAt: Instant, firedAt: Instant });
export const TimerFired = envelopeOf('TimerFired', TimerFiredData);
export type TimerFired = z.infer<typeof TimerFired>;

export const OutboundMessageRequestedData = z.object({
  conversationId: ExternalId,
  messageId: ExternalId,
  channel: Channel,
  from: E164,
  to: E164,
  text: z.string(),
  route: z.enum(['number_configuration', 'dialplan']),
  /** A WhatsApp template message (W3): `text` is its body with the parameters filled in. */
  template: TemplateRef.optional(),
  /** P4: the system's own reply to a consent keyword, sent even to a contact who opted out. */
  purpose: z.enum(['opt_out_confirmation', 'opt_in_confirmation', 'help_reply']).optional(),
});
export const OutboundMessageRequested = envelopeOf('OutboundMessageRequested', OutboundMessageRequestedData);
export type OutboundMessageRequested = z.infer<typeof OutboundMessageRequested>;

export const OutboundMessageRejectedData = z.object({
  conversationId: ExternalId,
  messageId: ExternalId,
  reason: z.enum(['no_route', 'linked_service_changed', 'channel_not_enabled', 'whatsapp_window_closed', 'unknown_template', 'template_parameters', 'opted_out']),
  /** What was wrong, for a person to read (the template's name and the parameters it wants). */
  detail: z.string().max(2000).optional(),
});
export const OutboundMessageRejected = envelopeOf('OutboundMessageRejected', OutboundMessageRejectedData);
export type OutboundMessageRejected = z.infer<typeof OutboundMessageRejected>;

export const MessageRejectedData = z.object({
  messageId: ExternalId,
  from: E164,
  to: E164,
  channel: Channel,
  reason: z.enum(['number_not_configured', 'channel_not_enabled']),
});
export const MessageRejected = envelopeOf('MessageRejected', MessageRejectedData);
export type MessageRejected = z.infer<typeof MessageRejected>;

/**
 * Extension of the contract: a contact's message accepted into a conversation (L3). Gives the chat
 * platform the conversation a message belongs to, and gives routing and actions their trigger.
 */
export const ContactMessageAppendedData = z.object({
  conversationId: ExternalId,
  messageId: ExternalId,
  channel: Channel,
  contact: E164,
  number: E164,
  serviceId: ExternalId,
  text: z.string(),
  receivedAt: Instant,
  /** P1, P5: the message is a consent keyword: shown marked, it arms nothing and asks no bot. */
  keyword: z.enum(['opt_out', 'opt_in', 'help']).optional(),
});
export const ContactMessageAppended = envelopeOf('ContactMessageAppended', ContactMessageAppendedData);
export type ContactMessageAppended = z.infer<typeof ContactMessageAppended>;

/** Extension: a call put on its conversation's timeline (L4). */
export const CallAppendedData = z.object({
  conversationId: ExternalId,
  callId: ExternalId,
  contact: E164,
  serviceId: ExternalId,
  agentIds: z.array(ExternalId),
  direction: z.enum(['inbound', 'outbound']),
  startedAt: Instant,
  endedAt: Instant,
});
export const CallAppended = envelopeOf('CallAppended', CallAppendedData);
export type CallAppended = z.infer<typeof CallAppended>;

/** Extension: an agent's "create conversation" for a service the tenant's directory does not have (L5). */
export const ConversationRequestRejectedData = z.object({ requestId: ExternalId, agentId: ExternalId, contact: E164, serviceId: ExternalId, channel: Channel, reason: z.literal('unknown_service') });
export const ConversationRequestRejected = envelopeOf('ConversationRequestRejected', ConversationRequestRejectedData);
export type ConversationRequestRejected = z.infer<typeof ConversationRequestRejected>;

/** Extension (W4): a run of a `send_message` action whose message could not leave, and had no fallback template. */
export const ActionSkippedData = z.object({ conversationId: ExternalId, actionId: ExternalId, timerId: ExternalId, reason: z.literal('whatsapp_window_closed') });
export const ActionSkipped = envelopeOf('ActionSkipped', ActionSkippedData);
export type ActionSkipped = z.infer<typeof ActionSkipped>;
