import type { z } from 'zod';
import { AnyEnvelope } from './envelope.js';
import * as config from './config-events.js';
import * as consent from './consent.js';
import * as inbound from './inbound-events.js';
import * as outbound from './outbound-events.js';
import { UNSTORABLE_MESSAGE, unstorablePath } from './storable.js';
import { tenantOfSubject } from './subjects.js';

/** One schema per event type: the single source for validation, types and the AsyncAPI document. */
export const EVENT_SCHEMAS = {
  MessageReceived: inbound.MessageReceived,
  CallEnded: inbound.CallEnded,
  ChatMessageSent: inbound.ChatMessageSent,
  ChatMessageRead: inbound.ChatMessageRead,
  MemberRemoved: inbound.MemberRemoved,
  MemberJoined: inbound.MemberJoined,
  ConversationRequested: inbound.ConversationRequested,
  ContactOptedOut: consent.ContactOptedOut,
  ConversationCreated: outbound.ConversationCreated,
  ConversationLinked: outbound.ConversationLinked,
  MembersAdded: outbound.MembersAdded,
  ConversationDetached: outbound.ConversationDetached,
  BotReplyRequested: outbound.BotReplyRequested,
  BotMessageRequested: outbound.BotMessageRequested,
  TimerFired: outbound.TimerFired,
  ActionSkipped: outbound.ActionSkipped,
  OutboundMessageRequested: outbound.OutboundMessageRequested,
  OutboundMessageRejected: outbound.OutboundMessageRejected,
  MessageRejected: outbound.MessageRejected,
  ContactMessageAppended: outbound.ContactMessageAppended,
  CallAppended: outbound.CallAppended,
  ConversationRequestRejected: outbound.ConversationRequestRejected,
  DirectoryReplaced: config.DirectoryReplaced,
  NumberConfigurationSaved: config.NumberConfigurationSaved,
  NumberConfigurationRemoved: config.NumberConfigurationRemoved,
  NumberConfigurationMigrated: config.NumberConfigurationMigrated,
  NumberOverrideSet: config.NumberOverrideSet,
  NumberOverrideCleared: config.NumberOverrideCleared,
  ConsentChanged: consent.ConsentChanged,
  ConsentSettingsSaved: consent.ConsentSettingsSaved,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventOf<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];

export type Decoded<E> = { ok: true; event: E } | { ok: false; reason: string; tenant?: string };

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Refuses bytes that are not UTF-8 (a lenient decoder would replace them). One per process: a decode holds no state between calls. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and validates one event read from `subject`: JSON, envelope, a type among `accepted`, its
 * data, and a tenant equal to the subject's. Every failure says why, for the dead letter.
 */
export function decodeEvent<T extends EventType>(subject: string, payload: Uint8Array | string, accepted: readonly T[]): Decoded<EventOf<T>> {
  const json = parseJson(payload);
  return 'failure' in json ? { ok: false, reason: json.failure } : validateEvent(subject, json.value, accepted);
}

/** As `decodeEvent`, the event itself; throws with the reason when the payload is not one of `accepted`. */
export function readEvent<T extends EventType>(subject: string, payload: Uint8Array | string, accepted: readonly T[]): EventOf<T> {
  const decoded = decodeEvent(subject, payload, accepted);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.event;
}

/** An entry of an event log: the events of one decision, each decoded by its own schema. */
export interface TypedEntry<E> {
  subject: string;
  seq: number;
  events: E[];
}

/** An event log's entry (a JSON array of events), each event decoded as `decodeEvent` does; throws with the reason when it cannot be. */
export function decodeEntry<T extends EventType>(message: { subject: string; seq: number; data: Uint8Array }, accepted: readonly T[]): TypedEntry<EventOf<T>> {
  const json = parseJson(message.data);
  if ('failure' in json) throw new Error(json.failure);
  if (!Array.isArray(json.value) || json.value.length === 0) throw new Error('a log entry is a non-empty JSON array of events');
  const events = json.value.map((item: unknown) => {
    const decoded = validateEvent(message.subject, item, accepted);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.event;
  });
  return { subject: message.subject, seq: message.seq, events };
}

function parseJson(payload: Uint8Array | string): { value: unknown } | { failure: string } {
  try {
    return { value: JSON.parse(typeof payload === 'string' ? payload : strictUtf8.decode(payload)) };
  } catch (e) {
    return { failure: `not JSON in UTF-8: ${(e as Error).message}` };
  }
}

/** Validates an event already parsed from JSON, as `decodeEvent` does. */
export function validateEvent<T extends EventType>(subject: string, json: unknown, accepted: readonly T[]): Decoded<EventOf<T>> {
  const unstorable = unstorablePath(json);
  if (unstorable) return { ok: false, reason: `${unstorable.length ? unstorable.join('.') : '(root)'}: ${UNSTORABLE_MESSAGE}` };
  // Nearly every event is valid: its own schema, which holds the envelope's, settles it in one parse.
  // Otherwise the checks below, in order, say why.
  const claimed = json !== null && typeof json === 'object' ? (json as { type?: unknown; tenant?: unknown }) : {};
  if (typeof claimed.type === 'string' && (accepted as readonly string[]).includes(claimed.type) && claimed.tenant === tenantOfSubject(subject)) {
    const parsed = EVENT_SCHEMAS[claimed.type as T].safeParse(json);
    if (parsed.success) return { ok: true, event: parsed.data as EventOf<T> };
  }
  const envelope = AnyEnvelope.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `bad envelope: ${describeIssues(envelope.error)}` };
  const { type, tenant } = envelope.data;
  if (!(accepted as readonly string[]).includes(type)) {
    return { ok: false, tenant, reason: `unexpected event type ${JSON.stringify(type)} on ${subject}` };
  }
  const subjectTenant = tenantOfSubject(subject);
  if (subjectTenant !== tenant) {
    return { ok: false, tenant, reason: `tenant ${JSON.stringify(tenant)} does not match the subject's tenant ${JSON.stringify(subjectTenant)}` };
  }
  const parsed = EVENT_SCHEMAS[type as T].safeParse(json);
  if (!parsed.success) return { ok: false, tenant, reason: `invalid ${type}: ${describeIssues(parsed.error)}` };
  return { ok: true, event: parsed.data as EventOf<T> };
}

/** What a conversation's log (`KITE_CONV`) holds: the decisions about it and the chat facts that join it. */
export const CONVERSATION_EVENT_TYPES = [
  'ConversationCreated',
  'ConversationLinked',
  'ContactMessageAppended',
  'CallAppended',
  'MembersAdded',
  'ConversationDetached',
  'BotReplyRequested',
  'BotMessageRequested',
  'TimerFired',
  'ActionSkipped',
  'OutboundMessageRequested',
  'OutboundMessageRejected',
  'ChatMessageSent',
  'ChatMessageRead',
  'MemberRemoved',
  'MemberJoined',
] as const satisfies readonly EventType[];
export type ConversationEvent = EventOf<(typeof CONVERSATION_EVENT_TYPES)[number]>;

/** What the configuration's log (`KITE_CONFIG`) holds. */
export const CONFIG_EVENT_TYPES = ['DirectoryReplaced', 'NumberConfigurationSaved', 'NumberConfigurationMigrated', 'NumberConfigurationRemoved', 'NumberOverrideSet', 'NumberOverrideCleared', 'ConsentChanged', 'ConsentSettingsSaved'] as const satisfies readonly EventType[];
export type ConfigEvent = EventOf<(typeof CONFIG_EVENT_TYPES)[number]>;
