import { deterministicId, makeEvent, type ConsentSettings, type MessageReceived } from '@kite/contracts';
import { keywordOf, replyTo, type KeywordMatch } from '../consent/keywords.js';
import { conversationIdFor } from './conversation-id.js';
import { detachingAgrees, waitingForDetaching } from './detach.decide.js';
import { normaliseE164 } from '../phone/phone-number.js';
import { linkOf, type InboundDecision, type LinkingConversation, type LinkingEvent, type NumberRoute } from './linking.js';

/** L2: why an inbound message cannot be routed, if it cannot. */
export function rejectionOf(message: MessageReceived, route: NumberRoute | undefined): 'number_not_configured' | 'channel_not_enabled' | undefined {
  if (!route || route.status === 'not_configured' || !route.linkedServiceId) return 'number_not_configured';
  if (!route.channels.includes(message.data.channel)) return 'channel_not_enabled';
  return undefined;
}

/** L1, L3: the conversation an accepted inbound message belongs to; undefined when it is rejected (L2). */
export function inboundConversationOf(message: MessageReceived, route: NumberRoute | undefined): string | undefined {
  if (rejectionOf(message, route) || !route?.linkedServiceId) return undefined;
  return conversationIdFor(message.tenant, message.data.from, route.linkedServiceId);
}

/** Event ids derive from the provider's message id, so a republished message decides the same events. */
const idFor = (message: MessageReceived, what: string): string => deterministicId(message.tenant, 'message', message.data.messageId, what);

/**
 * L2, L3: an inbound message on a configured number joins conversation (contact, linked service),
 * creating it when absent (origin `inbound`) and announcing a channel/number it did not use yet.
 * L2 rejects for good, so only on the number's configuration as it stands: while a change to it
 * has not reached linking yet (`configuration: 'behind'`), a message it would reject waits.
 * L6: a message decided on a configuration of its number older than the last change the
 * number's detaching applied waits too (`detachingAgrees`).
 * P1, P4, P5: a keyword message is appended marked, records the consent change (opt-out, opt-in)
 * and is answered once, from the number it came to, whatever the contact's consent.
 */
export function decideInbound(
  message: MessageReceived,
  route: NumberRoute | undefined,
  conversation: LinkingConversation,
  configuration: 'current' | 'behind' = 'current',
  consentSettings?: ConsentSettings,
): InboundDecision {
  const { tenant, data } = message;
  const cause = { cause: message };
  const reason = rejectionOf(message, route);
  if (reason && configuration === 'behind') return { kind: 'waiting', reason: `the configuration of ${data.to} has a change not applied here yet` };
  if (reason || !route?.linkedServiceId) {
    const rejected = makeEvent('MessageRejected', tenant, { messageId: data.messageId, from: data.from, to: data.to, channel: data.channel, reason: reason ?? 'number_not_configured' }, { ...cause, id: idFor(message, 'rejected') });
    // P1: a STOP is honoured even on a number that routes nothing (it may still send: a dialplan number); no conversation, so no confirmation.
    const match = keywordOf(data.text, consentSettings);
    return { kind: 'rejected', events: [rejected], consent: match && consentChangeOf(message, match) };
  }
  const serviceId = route.linkedServiceId;
  if (!detachingAgrees(route.version, route.detachedThrough)) return { kind: 'waiting', reason: waitingForDetaching(data.to) };
  const conversationId = conversation.status === 'open' ? conversation.conversationId : conversationIdFor(tenant, data.from, serviceId);
  const events: LinkingEvent[] = [];
  if (conversation.status === 'none') {
    events.push(makeEvent('ConversationCreated', tenant, { conversationId, contact: data.from, serviceId, number: data.to, channel: data.channel, origin: 'inbound' }, { ...cause, id: idFor(message, 'created') }));
  } else if (!conversation.links.includes(linkOf(data.channel, data.to))) {
    events.push(makeEvent('ConversationLinked', tenant, { conversationId, channel: data.channel, number: data.to }, { ...cause, id: idFor(message, 'linked') }));
  }
  const match = keywordOf(data.text, consentSettings);
  const appended = { conversationId, messageId: data.messageId, channel: data.channel, contact: data.from, number: data.to, serviceId, text: data.text, receivedAt: data.receivedAt };
  events.push(makeEvent('ContactMessageAppended', tenant, match ? { ...appended, keyword: match.kind } : appended, { ...cause, id: idFor(message, 'appended') }));
  if (!match) return { kind: 'appended', conversationKey: { contact: data.from, serviceId }, events };
  events.push(keywordReply(message, conversationId, match, consentSettings));
  return { kind: 'appended', conversationKey: { contact: data.from, serviceId }, events, consent: consentChangeOf(message, match) };
}

const PURPOSES = { opt_out: 'opt_out_confirmation', opt_in: 'opt_in_confirmation', help: 'help_reply' } as const;

/** P4: the confirmation of an opt-out or opt-in, or the HELP reply: on the keyword's channel, from the number it was sent to. */
function keywordReply(message: MessageReceived, conversationId: string, match: KeywordMatch, settings: ConsentSettings | undefined) {
  const { tenant, data } = message;
  const messageId = idFor(message, 'keyword-reply');
  return makeEvent(
    'OutboundMessageRequested',
    tenant,
    { conversationId, messageId, channel: data.channel, from: data.to, to: data.from, text: replyTo(match, settings), route: 'number_configuration', purpose: PURPOSES[match.kind] },
    { cause: message, id: deterministicId(tenant, 'outbound', messageId) },
  );
}

/** P1, P6: the consent change a keyword records, on the number it was sent to (P2 reads its scope). HELP changes nothing. */
function consentChangeOf(message: MessageReceived, match: KeywordMatch) {
  if (match.kind === 'help') return undefined;
  const { tenant, data } = message;
  const change = { contact: data.from, status: match.kind === 'opt_out' ? ('opted_out' as const) : ('opted_in' as const), number: data.to, source: 'keyword' as const, at: data.receivedAt, messageId: data.messageId, keyword: match.keyword };
  return makeEvent('ConsentChanged', tenant, change, { cause: message, id: idFor(message, 'consent') });
}

/** L1: the message with its contact number in E.164, or undefined when it cannot be read as one. */
export function normalisedInbound(message: MessageReceived): MessageReceived | undefined {
  const from = normaliseE164(message.data.from);
  return from === undefined ? undefined : { ...message, data: { ...message.data, from } };
}
