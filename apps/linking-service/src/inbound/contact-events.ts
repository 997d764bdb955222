import { INBOUND_SUBJECT_SUFFIX, readEvent, type CallEnded, type ConversationRequested, type MessageReceived } from '@kite/contracts';
import { normaliseE164, normalisedInbound } from '@kite/domain';
import type { Delivery } from '@kite/messaging';

/** What a contact does, or an agent asks for a contact: each may create the contact's conversation with a service (L3, L4, L5). */
export type ContactEvent = MessageReceived | CallEnded | ConversationRequested;
/** An inbound event another processor handles (the stream's consumers each filter one subject: NATS 2.9). */
export interface OtherInbound {
  type: 'other';
  subject: string;
}

/** The contact of an event, in E.164: a contact's events are handled in the order they came. */
export const contactOf = (event: ContactEvent): string => (event.type === 'MessageReceived' ? event.data.from : event.data.contact);

/** An inbound message as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readMessage(delivery: Delivery): MessageReceived {
  const received = readEvent(delivery.subject, delivery.data, ['MessageReceived']);
  const message = normalisedInbound(received);
  if (!message) throw new Error(`data.from: ${JSON.stringify(received.data.from)} is not a phone number that can be read as E.164`);
  return message;
}

/** A contact in E.164; throws with the reason when it cannot be read as one. */
function contactIn(contact: string): string {
  const e164 = normaliseE164(contact);
  if (!e164) throw new Error(`data.contact: ${JSON.stringify(contact)} cannot be read as E.164`);
  return e164;
}

/** A call as linking reads it, its contact in E.164. */
function readCall(delivery: Delivery): CallEnded {
  const call = readEvent(delivery.subject, delivery.data, ['CallEnded']);
  return { ...call, data: { ...call.data, contact: contactIn(call.data.contact) } };
}

/** An agent's request as linking reads it, its contact in E.164. */
function readRequest(delivery: Delivery): ConversationRequested {
  const request = readEvent(delivery.subject, delivery.data, ['ConversationRequested']);
  return { ...request, data: { ...request.data, contact: contactIn(request.data.contact) } };
}

const suffixOf = (subject: string): string => subject.split('.').slice(3).join('.');

/** A contact's event, by its subject, or another processor's. */
export function readContactEvent(delivery: Delivery): ContactEvent | OtherInbound {
  switch (suffixOf(delivery.subject)) {
    case INBOUND_SUBJECT_SUFFIX.MessageReceived:
      return readMessage(delivery);
    case INBOUND_SUBJECT_SUFFIX.CallEnded:
      return readCall(delivery);
    case INBOUND_SUBJECT_SUFFIX.ConversationRequested:
      return readRequest(delivery);
    default:
      return { type: 'other', subject: delivery.subject };
  }
}

/** Whether the subject is an agent's request, which the contacts processor handles. */
export const isConversationRequest = (subject: string): boolean => suffixOf(subject) === INBOUND_SUBJECT_SUFFIX.ConversationRequested;
