import type { ConversationEvent, Member } from '@kite/contracts';
import { evolveConversationForOutbound, withNew, type ConversationForOutbound } from '@kite/domain';

/** A conversation as linking's read model holds it. */
export interface ConversationView {
  conversationId: string;
  tenant: string;
  contact: string;
  serviceId: string;
  /** The number and channel it was created on; no number when none could serve it then (L4, L5). */
  number: string | undefined;
  channel: 'sms' | 'whatsapp' | 'call' | undefined;
  origin: string;
  links: readonly string[];
  members: readonly string[];
  detached: readonly string[];
  lastChannel: 'sms' | 'whatsapp' | undefined;
  /** W1: until when (epoch ms) its WhatsApp window is open. */
  whatsappWindowUntil?: number | undefined;
  createdAt: string;
}

/** One item of a conversation's timeline: a contact, agent or bot message, or a call. */
export interface TimelineItem {
  tenant: string;
  itemId: string;
  conversationId: string;
  kind: string;
  channel: string;
  at: string;
  body: unknown;
}

/** An outbound decision (O2) recorded by message id. */
export interface OutboundRecord {
  tenant: string;
  messageId: string;
  conversationId: string;
  eventId: string;
}

const key = (m: Member) => `${m.kind}:${m.id}`;
/** The view with `added` members too; the same view when it held them all already. */
function addingMembers(view: ConversationView | undefined, added: readonly string[]): ConversationView | undefined {
  if (!view) return view;
  const members = withNew(view.members, added);
  return members === view.members ? view : { ...view, members };
}

/** The view after an event that changes what O1 reads of the conversation (links, detached numbers, last channel): the domain's rule. */
function followingOutbound(view: ConversationView | undefined, event: ConversationEvent): ConversationView | undefined {
  if (!view) return view;
  const before = forOutbound(view);
  const after = evolveConversationForOutbound(before, event)!;
  return after === before ? view : { ...view, links: after.links, detached: after.detached, lastChannel: after.lastChannel, whatsappWindowUntil: after.whatsappWindowUntil };
}

/**
 * What one event of a conversation's log changes in the read model: the conversation (undefined
 * until it is created; events before that change nothing of it), a timeline item, an outbound
 * record. Pure, so a batch folds its events in memory and writes each table once; an event that
 * changes nothing in the conversation gives back the same view, so a batch that changed none of
 * it does not write it.
 */
export function projectEvent(view: ConversationView | undefined, event: ConversationEvent): { view: ConversationView | undefined; item?: TimelineItem; outbound?: OutboundRecord } {
  const t = event.tenant;
  switch (event.type) {
    case 'ConversationCreated': {
      const { data } = event;
      if (view) return { view };
      const { links } = evolveConversationForOutbound(undefined, event)!;
      return {
        view: { conversationId: data.conversationId, tenant: t, contact: data.contact, serviceId: data.serviceId, number: data.number, channel: data.channel, origin: data.origin, links, members: [], detached: [], lastChannel: undefined, createdAt: event.occurredAt },
      };
    }
    case 'ConversationLinked':
    case 'ConversationDetached':
      return { view: followingOutbound(view, event) };
    case 'ContactMessageAppended': {
      const { data } = event;
      const item = { tenant: t, itemId: `message:${data.messageId}`, conversationId: data.conversationId, kind: 'contact_message', channel: data.channel, at: data.receivedAt, body: { messageId: data.messageId, from: data.contact, to: data.number, text: data.text, ...(data.keyword ? { keyword: data.keyword } : {}) } };
      return { view: followingOutbound(view, event), item };
    }
    case 'CallAppended': {
      const { data } = event;
      const body = { callId: data.callId, direction: data.direction, agentIds: data.agentIds, startedAt: data.startedAt, endedAt: data.endedAt };
      return { view, item: { tenant: t, itemId: `call:${data.callId}`, conversationId: data.conversationId, kind: 'call', channel: 'call', at: data.startedAt, body } };
    }
    case 'ChatMessageSent': {
      const { data } = event;
      const body = { messageId: data.messageId, sender: data.sender, text: data.text, ...(data.template ? { template: data.template } : {}) };
      return { view, item: { tenant: t, itemId: `message:${data.messageId}`, conversationId: data.conversationId, kind: `${data.sender.kind}_message`, channel: 'chat', at: data.sentAt, body } };
    }
    case 'MembersAdded':
      return { view: addingMembers(view, event.data.members.map(key)) };
    case 'MemberJoined':
      return { view: addingMembers(view, [key(event.data.member)]) };
    case 'MemberRemoved': {
      const removed = key(event.data.member);
      return { view: view?.members.includes(removed) ? { ...view, members: view.members.filter((m) => m !== removed) } : view };
    }
    case 'OutboundMessageRequested': {
      const { data } = event;
      const outbound = { tenant: t, messageId: data.messageId, conversationId: data.conversationId, eventId: event.id };
      if (!data.purpose) return { view, outbound };
      // P4: the system's reply to a keyword is on the timeline, so agents see what the contact was told.
      const body = { messageId: data.messageId, purpose: data.purpose, text: data.text };
      return { view, outbound, item: { tenant: t, itemId: `message:${data.messageId}`, conversationId: data.conversationId, kind: 'system_message', channel: data.channel, at: event.occurredAt, body } };
    }
    case 'OutboundMessageRejected': {
      // W2, W3: a refused message is on the timeline, with why, so the agent sees it did not leave.
      const { data } = event;
      const body = { messageId: data.messageId, reason: data.reason, ...(data.detail ? { detail: data.detail } : {}) };
      const item = { tenant: t, itemId: `rejected:${data.messageId}`, conversationId: data.conversationId, kind: 'outbound_rejected', channel: 'chat', at: event.occurredAt, body };
      return { view, item, outbound: { tenant: t, messageId: data.messageId, conversationId: data.conversationId, eventId: event.id } };
    }
    case 'ActionSkipped': {
      const { data } = event;
      const body = { actionId: data.actionId, timerId: data.timerId, reason: data.reason };
      return { view, item: { tenant: t, itemId: `skipped:${event.id}`, conversationId: data.conversationId, kind: 'action_skipped', channel: 'chat', at: event.occurredAt, body } };
    }
    default:
      return { view };
  }
}

export const forOutbound = (view: ConversationView): ConversationForOutbound => ({
  conversationId: view.conversationId,
  contact: view.contact,
  serviceId: view.serviceId,
  links: view.links,
  detached: view.detached,
  lastChannel: view.lastChannel,
  createdOn: view.channel,
  whatsappWindowUntil: view.whatsappWindowUntil,
});
