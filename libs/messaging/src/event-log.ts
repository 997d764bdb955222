import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { AnyEnvelope, deterministicId, validateEvent, type AnyEnvelope as Envelope, type EventOf, type EventType } from '@kite/contracts';
import { z } from 'zod';
import { AckedPublisher } from './acked-publish.js';

/** One entry of an aggregate's log: the events of one decision. */
export interface LogEntry {
  subject: string;
  seq: number;
  events: Envelope[];
}

const Entry = z.array(AnyEnvelope).min(1);
const utf8 = new TextDecoder();

/** An entry read from a log, decoded by the envelope schemas; throws with the reason when it is not one. */
export function decodeLogEntry(subject: string, seq: number, data: Uint8Array): LogEntry {
  const events = Entry.parse(JSON.parse(utf8.decode(data)));
  return { subject, seq, events };
}

/** An entry whose events are each decoded by their own schema (one of `accepted`, of the subject's tenant). */
export interface TypedEntry<E> {
  subject: string;
  seq: number;
  events: E[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A log entry read from a stream, each event decoded by its schema; throws with the reason when it cannot be. */
export function decodeEntry<T extends EventType>(message: { subject: string; seq: number; data: Uint8Array }, accepted: readonly T[]): TypedEntry<EventOf<T>> {
  let json: unknown;
  try {
    json = JSON.parse(strictUtf8.decode(message.data));
  } catch (e) {
    throw new Error(`not JSON in UTF-8: ${(e as Error).message}`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new Error('a log entry is a non-empty JSON array of events');
  const events = json.map((item) => {
    const decoded = validateEvent(message.subject, item, accepted);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.event;
  });
  return { subject: message.subject, seq: message.seq, events };
}

/** The message id of an entry: the event's own id, or one derived from all of them. */
export const entryId = (events: readonly { id: string }[]): string => (events.length === 1 ? events[0]!.id : deterministicId(...events.map((e) => e.id)));

/**
 * An event store over one JetStream stream, one subject per aggregate, each entry a JSON array of
 * the events of one decision, its message id derived from theirs (a retry is a duplicate).
 */
export class EventLog {
  private constructor(
    private readonly publisher: AckedPublisher,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
  ) {}

  static async open(nc: NatsConnection, stream: string): Promise<EventLog> {
    return new EventLog(AckedPublisher.of(nc), await jetstreamManager(nc), stream);
  }

  /** The sequence of the last entry on `subject`, 0 when there is none. */
  async tail(subject: string): Promise<number> {
    const last = await this.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return last?.seq ?? 0;
  }

  /** Whether `subject` has entries: an aggregate exists once its first entry is appended. */
  async hasEntries(subject: string): Promise<boolean> {
    return (await this.tail(subject)) > 0;
  }

  /** The last entry on `subject`: for aggregates whose events carry their whole state, the state. */
  async lastEntry(subject: string): Promise<LogEntry | undefined> {
    const m = await this.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return m ? decodeLogEntry(m.subject, m.seq, m.data) : undefined;
  }

  /**
   * Appends one decision's events. With `expectedLast`, only if the subject's last entry is still
   * that one (0: the subject has none), else the server refuses it ("wrong last sequence"): an
   * optimistic concurrency check. A retry of an entry already stored (same ids, inside the
   * duplicate window) returns the stored one.
   */
  async append(subject: string, events: readonly Envelope[], expectedLast?: number): Promise<{ seq: number; duplicate: boolean }> {
    const ack = await this.publisher.publish(subject, JSON.stringify(events), { msgID: entryId(events), ...(expectedLast === undefined ? {} : { expectLastSubjectSequence: expectedLast }) });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }
}

/** One decision about an aggregate: its events, for the aggregate's subject. */
export interface Decision {
  subject: string;
  events: readonly Envelope[];
}

/** The items by key, each list in the order given. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

export function isWrongLastSequence(e: unknown): e is JetStreamApiError {
  return e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamWrongLastSequence;
}
