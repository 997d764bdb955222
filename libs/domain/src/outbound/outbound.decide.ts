import { deterministicId, makeEvent, type Channel, type ConsentScope, type OutboundMessageRejected, type OutboundMessageRequested, type TemplateRef, type WhatsAppTemplate } from '@kite/contracts';
import { consentFor, type OrderedConsentChange } from '../consent/consent.js';
import { useTemplate } from '../whatsapp/templates.js';
import { isWindowOpen } from '../whatsapp/window.js';

/** A number as outbound resolution sees it: its channels and its configuration. */
export interface ConfiguredNumber {
  number: string;
  channels: readonly Channel[];
  status: 'not_configured' | 'partially_configured' | 'configured';
  linkedServiceId?: string | undefined;
  /** Its approved WhatsApp templates (W3). */
  templates?: readonly WhatsAppTemplate[] | undefined;
  /** Its configuration's position in the configuration stream (L6: `detachingAgrees`). */
  version?: number | undefined;
}

/** What O1 reads: the tenant's numbers and the conversation's service's dialplan SMS number; P3: the contact's consent and the tenant's scope. */
export interface OutboundContext {
  numbers: readonly ConfiguredNumber[];
  dialplanSmsNumber?: string | undefined;
  consent?: { scope: ConsentScope; changes: readonly OrderedConsentChange[] } | undefined;
}

/** P3: why a message of service `serviceId` from `from` may not reach the contact, if it may not. */
function optOutOf(context: OutboundContext, serviceId: string, from: string): string | undefined {
  if (!context.consent) return undefined;
  // The service's dialplan number belongs to it (P2's `service` scope), though no configuration links it.
  const serviceOf = (number: string) => (number === context.dialplanSmsNumber ? serviceId : context.numbers.find((n) => n.number === number)?.linkedServiceId);
  if (consentFor(context.consent.changes, from, context.consent.scope, serviceOf) !== 'opted_out') return undefined;
  return `the contact opted out of messages from ${from} (scope: ${context.consent.scope}); only an opt-in (START) lets messages leave again`;
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
  /** W1: until when (epoch ms) a free-form WhatsApp message may leave; never opened when absent. */
  whatsappWindowUntil?: number | undefined;
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
  /** The message's own time (epoch ms): the window is judged then (W2). */
  at: number;
  /** An approved WhatsApp template to send instead of the text (W3). */
  template?: TemplateRef | undefined;
  cause: { id: string; correlationId?: string | undefined };
}

type Content = { ok: true; text: string; template?: TemplateRef } | { ok: false; reason: 'whatsapp_window_closed' | 'unknown_template' | 'template_parameters'; detail: string };

/**
 * W2, W3: what leaves over WhatsApp: a template of the sending number at any time, free-form text
 * only while the window is open. Over SMS the text leaves as it is (a template is WhatsApp's).
 */
function contentOf(message: OutboundMessage, channel: Channel, from: string, conversation: ConversationForOutbound, context: OutboundContext): Content {
  if (channel !== 'whatsapp') return { ok: true, text: message.text };
  if (message.template) {
    const templates = context.numbers.find((n) => n.number === from)?.templates ?? [];
    const use = useTemplate(templates, message.template, from);
    return use.ok ? { ok: true, text: use.text, template: message.template } : use;
  }
  if (isWindowOpen(conversation.whatsappWindowUntil, message.at)) return { ok: true, text: message.text };
  const closed = conversation.whatsappWindowUntil === undefined ? 'the contact has never written on WhatsApp' : `the window closed at ${new Date(conversation.whatsappWindowUntil).toISOString()}`;
  return { ok: false, reason: 'whatsapp_window_closed', detail: `a free-form WhatsApp message needs a contact message in the last 24 hours: ${closed}; send an approved template` };
}

/** O1, O2, P3, W2, W3: one request (or refusal) per message id, naming its route source; the id derives from the message id. */
export function decideOutbound(tenant: string, message: OutboundMessage, conversation: ConversationForOutbound, context: OutboundContext): OutboundMessageRequested | OutboundMessageRejected {
  const channel = outboundChannelOf(conversation);
  const number = conversationNumberOn(conversation, channel);
  const route = resolveSendingNumber(conversation.serviceId, channel, context, number, number !== undefined && conversation.detached.includes(number));
  const causation = { cause: message.cause, id: deterministicId(tenant, 'outbound', message.messageId) };
  const { conversationId } = conversation;
  if (!route.ok) return makeEvent('OutboundMessageRejected', tenant, { conversationId, messageId: message.messageId, reason: route.reason }, causation);
  const optedOut = optOutOf(context, conversation.serviceId, route.from);
  if (optedOut) return makeEvent('OutboundMessageRejected', tenant, { conversationId, messageId: message.messageId, reason: 'opted_out', detail: optedOut }, causation);
  const content = contentOf(message, channel, route.from, conversation, context);
  if (!content.ok) return makeEvent('OutboundMessageRejected', tenant, { conversationId, messageId: message.messageId, reason: content.reason, detail: content.detail }, causation);
  const template = content.template ? { template: content.template } : {};
  return makeEvent('OutboundMessageRequested', tenant, { conversationId, messageId: message.messageId, channel, from: route.from, to: conversation.contact, text: content.text, route: route.route, ...template }, causation);
}
