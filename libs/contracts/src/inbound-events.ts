import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { Channel, E164, ExternalId, Instant, Member, MemberKind, PhoneNumber } from './primitives.js';
import { TemplateRef } from './whatsapp-templates.js';

/** Events published by the PBX gateway and the chat platform on `kite.in.<tenant>.…` (docs/contract.md). */
export const MessageReceivedData = z.object({
  messageId: ExternalId,
  channel: Channel,
  from: PhoneNumber,
  to: E164,
  text: z.string().max(10_000),
  receivedAt: Instant,
});
export const MessageReceived = envelopeOf('MessageReceived', MessageReceivedData);
export type MessageReceived = z.infer<typeof MessageReceived>;

export const CallEndedData = z.object({
  callId: ExternalId,
  contact: PhoneNumber,
  serviceId: ExternalId,
  /** Extension: the DID the call used, when the gateway knows it. */
  number: E164.optional(),
  agentIds: z.array(ExternalId),
  direction: z.enum(['inbound', 'outbound']),
  startedAt: Instant,
  endedAt: Instant,
});
export const CallEnded = envelopeOf('CallEnded', CallEndedData);
export type CallEnded = z.infer<typeof CallEnded>;

export const ChatMessageSentData = z.object({
  conversationId: ExternalId,
  messageId: ExternalId,
  sender: z.object({ kind: MemberKind, id: ExternalId }),
  text: z.string().max(10_000),
  sentAt: Instant,
  /** Extension (W3): an approved WhatsApp template to send instead of the free-form text. */
  template: TemplateRef.optional(),
});
export const ChatMessageSent = envelopeOf('ChatMessageSent', ChatMessageSentData);
export type ChatMessageSent = z.infer<typeof ChatMessageSent>;

export const ChatMessageReadData = z.object({
  conversationId: ExternalId,
  messageId: ExternalId,
  readerId: ExternalId,
  readAt: Instant,
});
export const ChatMessageRead = envelopeOf('ChatMessageRead', ChatMessageReadData);
export type ChatMessageRead = z.infer<typeof ChatMessageRead>;

export const MemberRemovedData = z.object({
  conversationId: ExternalId,
  member: Member,
  by: Member,
  reason: z.enum(['removed', 'left']),
});
export const MemberRemoved = envelopeOf('MemberRemoved', MemberRemovedData);
export type MemberRemoved = z.infer<typeof MemberRemoved>;

export const MemberJoinedData = z.object({
  conversationId: ExternalId,
  member: Member,
  via: z.enum(['live_dashboard', 'invite', 'bot']),
});
export const MemberJoined = envelopeOf('MemberJoined', MemberJoinedData);
export type MemberJoined = z.infer<typeof MemberJoined>;

export const ConversationRequestedData = z.object({
  requestId: ExternalId,
  agentId: ExternalId,
  contact: PhoneNumber,
  serviceId: ExternalId,
  channel: Channel,
});
export const ConversationRequested = envelopeOf('ConversationRequested', ConversationRequestedData);
export type ConversationRequested = z.infer<typeof ConversationRequested>;
