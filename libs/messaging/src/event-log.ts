import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeEntry, deterministicId, type AnyEnvelope as Envelope, type EventOf, type EventType, type TypedEntry } from '@kite/contracts';
import { AckedPublisher } from './acked-publish.js';

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

  /** The last entry on `subject`, its events decoded (one of `accepted`): for aggregates whose events carry their whole state, the state. */
  async lastEntry<T extends EventType>(subject: string, accepted: readonly T[]): Promise<TypedEntry<EventOf<T>> | undefined> {
    const m = await this.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return m ? decodeEntry(m, accepted) : undefined;
  }

  /** Every entry on `subject`, oldest first, its events decoded (one of `accepted`): an aggregate read whole, for a question about it. */
  async entries<T extends EventType>(subject: string, accepted: readonly T[]): Promise<TypedEntry<EventOf<T>>[]> {
    const found: TypedEntry<EventOf<T>>[] = [];
    for (let seq = 1; ; ) {
      const m = await this.jsm.direct.getMessage(this.stream, { seq, next_by_subj: subject });
      if (!m) return found;
      found.push(decodeEntry(m, accepted));
      seq = m.seq + 1;
    }
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
