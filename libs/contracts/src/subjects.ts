/** Subject builders and parsers: the only place subject strings are spelled. */
export const STREAMS = {
  inbound: { name: 'KITE_IN', subjects: ['kite.in.>'] },
  outbound: { name: 'KITE_OUT', subjects: ['kite.out.>'] },
  config: { name: 'KITE_CONFIG', subjects: ['kite.config.>'] },
  conversations: { name: 'KITE_CONV', subjects: ['kite.conv.>'] },
  deadLetters: { name: 'KITE_DLQ', subjects: ['kite.dlq.>'] },
} as const;

export const INBOUND_SUBJECT_SUFFIX = {
  MessageReceived: 'message.received',
  CallEnded: 'call.ended',
  ChatMessageSent: 'chat.message.sent',
  ChatMessageRead: 'chat.message.read',
  MemberRemoved: 'chat.member.removed',
  MemberJoined: 'chat.member.joined',
  ConversationRequested: 'chat.conversation.requested',
  ContactOptedOut: 'contact.opted_out',
} as const;
export type InboundType = keyof typeof INBOUND_SUBJECT_SUFFIX;

export const OUTBOUND_SUBJECT_SUFFIX = {
  ConversationCreated: 'conversation.created',
  ConversationLinked: 'conversation.linked',
  MembersAdded: 'conversation.members.added',
  ConversationDetached: 'conversation.detached',
  BotReplyRequested: 'bot.reply.requested',
  BotMessageRequested: 'bot.message.requested',
  TimerFired: 'timer.fired',
  ActionSkipped: 'action.skipped',
  OutboundMessageRequested: 'outbound.message.requested',
  OutboundMessageRejected: 'outbound.message.rejected',
  MessageRejected: 'message.rejected',
  ContactMessageAppended: 'conversation.message.appended',
  CallAppended: 'conversation.call.appended',
  ConversationRequestRejected: 'conversation.request.rejected',
} as const;
export type OutboundType = keyof typeof OUTBOUND_SUBJECT_SUFFIX;

export const subjects = {
  inbound: (tenant: string, type: InboundType) => `kite.in.${tenant}.${INBOUND_SUBJECT_SUFFIX[type]}`,
  outbound: (tenant: string, type: OutboundType) => `kite.out.${tenant}.${OUTBOUND_SUBJECT_SUFFIX[type]}`,
  directory: (tenant: string) => `kite.config.${tenant}.directory`,
  /** `+15551234567` → `kite.config.acme.number.15551234567` (a `+` is legal but awkward in filters). */
  numberConfiguration: (tenant: string, number: string) => `kite.config.${tenant}.number.${number.replace(/^\+/, '')}`,
  /** P6: a contact's consent changes, `+15557654321` → `kite.config.acme.consent.15557654321`. */
  consent: (tenant: string, contact: string) => `kite.config.${tenant}.consent.${contact.replace(/^\+/, '')}`,
  consentSettings: (tenant: string) => `kite.config.${tenant}.consent-settings`,
  conversation: (tenant: string, conversationId: string) => `kite.conv.${tenant}.${conversationId}`,
  deadLetter: (service: string, tenant: string | undefined) => `kite.dlq.${service}.${tenant ?? '_'}`,
};

/** The conversation id of a `kite.conv.<tenant>.<conversationId>` subject. */
export function conversationOfSubject(subject: string): string {
  return subject.split('.')[3] ?? '';
}

/** The tenant token of any `kite.<kind>.<tenant>.…` subject, or undefined. */
export function tenantOfSubject(subject: string): string | undefined {
  return subject.split('.')[2];
}

export function isOutboundType(type: string): type is OutboundType {
  return Object.hasOwn(OUTBOUND_SUBJECT_SUFFIX, type);
}
