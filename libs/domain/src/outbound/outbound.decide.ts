import { deterministicId, makeEvent, type Channel, type OutboundMessageRejected, type OutboundMessageRequested } from '@kite/contracts';

/** A number as outbound resolution sees it: its channels and its configuration. */
export interface ConfiguredNumber {
  number: string;
  channels: readonly Channel[];
  status: 'not_configured' | 'partially_configured' | 'configured';
  linkedServiceId?: string | undefined;
}

/** What O1 reads: the tenant's numbers and the conversation's service's dialplan SMS number. */
export interface OutboundContext {
  numbers: readonly ConfiguredNumber[];
  dialplanSmsNumber?: string | undefined;
}

/** The conversation as outbound resolution sees it (linking's read model). */
export interface ConversationForOutbound {
  conversationId: string;
  contact: string;
  serviceId: string;
  /** `channel:number` pairs the conversation has used, oldest first. */
  links: readonly string[];
  /** Numbers detached from the conversation by a linked-service change (L6). */
  detached: readonly string[];
  /** The channel of the contact's last message, if any. */
  lastChannel?: Channel | undefined;
  /** The channel it was created on (`call` for a call's). */
  createdOn?: Channel | 'call' | undefined;
}

export type Route = { ok: true; from: string; route: 'number_configuration' | 'dialplan' } | { ok: false; reason: 'no_route' | 'channel_not_enabled' | 'linked_service_changed' };

/**
 * A reply leaves on the channel the contact last wrote on, else the conversation's first channel
 * (the one it was created on, also when no number could serve it then), else SMS.
 */
export function outboundChannelOf(conversation: ConversationForOutbound): Channel {
  if (conversation.lastChannel) return conversation.lastChannel;
  const first = conversation.links[0]?.split(':')[0] ?? conversation.createdOn;
  return first === 'whatsapp' ? 'whatsapp' : 'sms';
}

/** The number the conversation uses on `channel`: its latest link on it. */
export function conversationNumberOn(conversation: ConversationForOutbound, channel: Channel): string | undefined {
  const links = conversation.links.filter((l) => l.startsWith(`${channel}:`));
  return links.at(-1)?.slice(channel.length + 1);
}

/** "Lowest E.164 first": by numeric value (a shorter number is smaller), not by text. */
const byNumericValue = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const usable = (n: ConfiguredNumber, serviceId: string, channel: Channel) => n.status !== 'not_configured' && n.linkedServiceId === serviceId && n.channels.includes(channel);

/**
 * O1: the sending number for a message of service `serviceId` on `channel`. (1) The conversation's
 * number if still linked to the service with the channel, else another configured number linked to
 * the service with the channel, lowest E.164 first; (2) the service's dialplan SMS number (SMS
 * only); (3) refused: `channel_not_enabled` when the service has configured numbers but none with
 * the channel, else `no_route`. A conversation whose number was detached (L6) is refused first.
 */
export function resolveSendingNumber(serviceId: string, channel: Channel, context: OutboundContext, conversationNumber?: string, detached = false): Route {
  if (detached) return { ok: false, reason: 'linked_service_changed' };
  const own = context.numbers.find((n) => n.number === conversationNumber);
  if (own && usable(own, serviceId, channel)) return { ok: true, from: own.number, route: 'number_configuration' };
  const other = context.numbers
    .filter((n) => usable(n, serviceId, channel))
    .map((n) => n.number)
    .sort(byNumericValue)[0];
  if (other) return { ok: true, from: other, route: 'number_configuration' };
  if (channel === 'sms' && context.dialplanSmsNumber) return { ok: true, from: context.dialplanSmsNumber, route: 'dialplan' };
  const serviceHasNumbers = context.numbers.some((n) => n.status !== 'not_configured' && n.linkedServiceId === serviceId);
  return { ok: false, reason: serviceHasNumbers ? 'channel_not_enabled' : 'no_route' };
}

export interface OutboundMessage {
  messageId: string;
  text: string;
  cause: { id: string; correlationId?: string | undefined };
}

/** O1, O2: one request (or refusal) per message id, naming its route source; the id derives from the message id. */
export function decideOutbound(tenant: string, message: OutboundMessage, conversation: ConversationForOutbound, context: OutboundContext): OutboundMessageRequested | OutboundMessageRejected {
  const channel = outboundChannelOf(conversation);
  const number = conversationNumberOn(conversation, channel);
  const route = resolveSendingNumber(conversation.serviceId, channel, context, number, number !== undefined && conversation.detached.includes(number));
  const causation = { cause: message.cause, id: deterministicId(tenant, 'outbound', message.messageId) };
  const { conversationId } = conversation;
  if (!route.ok) return makeEvent('OutboundMessageRejected', tenant, { conversationId, messageId: message.messageId, reason: route.reason }, causation);
  return makeEvent('OutboundMessageRequested', tenant, { conversationId, messageId: message.messageId, channel, from: route.from, to: conversation.contact, text: message.text, route: route.route }, causation);
}
