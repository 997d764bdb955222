import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { AnyEnvelope, deterministicId, type AnyEnvelope as Envelope } from '@kite/contracts';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { AckedPublisher } from './acked-publish.js';

/** The header carrying the sequence of the previous entry on the same subject: the chain. */
export const PREVIOUS_HEADER = 'Kite-Prev-Seq';

/** One entry of an aggregate's log: the events of one decision, and its place in the chain. */
export interface LogEntry {
  subject: string;
  seq: number;
  /** Sequence of the entry before this one on the same subject; 0 for the first. */
  prev: number;
  events: Envelope[];
}

const Entry = z.array(AnyEnvelope).min(1);
const utf8 = new TextDecoder();

export function decodeLogEntry(subject: string, seq: number, prevHeader: string | undefined, data: Uint8Array): LogEntry {
  const prev = Number(prevHeader);
  if (!Number.isInteger(prev) || prev < 0) throw new Error(`log entry ${seq} on ${subject} has no valid ${PREVIOUS_HEADER} header`);
  const events = Entry.parse(JSON.parse(utf8.decode(data)));
  return { subject, seq, prev, events };
}

const MAX_KNOWN_TAILS = 100_000;

/** The message id of an entry: the event's own id, or one derived from all of them. */
export const entryId = (events: readonly { id: string }[]): string => (events.length === 1 ? events[0]!.id : deterministicId(...events.map((e) => e.id)));

/**
 * An event store over one JetStream stream, one subject per aggregate. Every append names the
 * entry it follows (`Nats-Expected-Last-Subject-Sequence`), so concurrent writers cannot interleave
 * unseen, and stamps that sequence in `Kite-Prev-Seq` so readers can check they miss nothing.
 */
export class EventLog {
  /** The newest sequence seen per subject (appended or read here): a guess at its tail, checked by the append. */
  private readonly knownTails = new LRUCache<string, number>({ max: MAX_KNOWN_TAILS });

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

  /** Notes that `subject` reaches at least `seq`, so the next append there need not ask for its tail first. */
  noteTail(subject: string, seq: number): void {
    if ((this.knownTails.get(subject) ?? 0) < seq) this.knownTails.set(subject, seq);
  }

  /** Whether `subject` has entries: an aggregate exists once its first entry is appended. */
  async hasEntries(subject: string): Promise<boolean> {
    return this.knownTails.has(subject) || (await this.tail(subject)) > 0;
  }

  /** The last entry on `subject`: for aggregates whose events carry their whole state, the state. */
  async lastEntry(subject: string): Promise<LogEntry | undefined> {
    const m = await this.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return m ? decodeLogEntry(m.subject, m.seq, m.header?.get(PREVIOUS_HEADER), m.data) : undefined;
  }

  async entryAt(seq: number): Promise<LogEntry | undefined> {
    const m = await this.jsm.streams.getMessage(this.stream, { seq });
    return m ? decodeLogEntry(m.subject, m.seq, m.header?.get(PREVIOUS_HEADER), m.data) : undefined;
  }

  /**
   * Appends one decision's events after entry `after` (the tail the writer knows; when undefined,
   * the newest entry seen here, or the current tail). When others appended since, it is appended
   * at the new tail, up to `attempts` times: callers only append decisions that stay right whatever
   * others wrote. A retry of an entry already stored (same ids, inside the duplicate window)
   * returns the stored one.
   */
  async append(subject: string, events: readonly Envelope[], after: number | undefined, attempts = 10): Promise<{ seq: number; prev: number; duplicate: boolean }> {
    let prev = after ?? this.knownTails.get(subject) ?? (await this.tail(subject));
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await this.publisher.publish(subject, JSON.stringify(events), {
          msgID: entryId(events),
          expectLastSubjectSequence: prev,
          headers: { [PREVIOUS_HEADER]: String(prev) },
        });
        if (!ack.duplicate) this.noteTail(subject, ack.seq);
        return { seq: ack.seq, prev, duplicate: ack.duplicate };
      } catch (e) {
        if (!isWrongLastSequence(e) || attempt >= attempts) throw e;
        prev = tailNamedIn(e) ?? (await this.tail(subject));
      }
    }
  }
}

/** One decision to append: its events, on its aggregate's subject, after `after` when the decider knows the tail (0 for an aggregate it creates). */
export interface LogAppend {
  subject: string;
  events: readonly Envelope[];
  after?: number;
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

/** Where an appended entry landed: its sequence, the entry it follows, and whether it was stored before. */
export interface Appended {
  subject: string;
  events: readonly Envelope[];
  seq: number;
  prev: number;
  duplicate: boolean;
}

/**
 * Appends several decisions: those of one subject one after another in the order given, the
 * subjects side by side, so a batch waits for its slowest conversation, not for the sum of all.
 * Returns where each landed, each subject's in the order given.
 */
export async function appendAll(log: EventLog, decisions: readonly LogAppend[]): Promise<Appended[]> {
  const bySubject = groupBy(decisions, (d) => d.subject);
  const landed = await Promise.all(
    [...bySubject].map(async ([subject, list]) => {
      const appended: Appended[] = [];
      let after = list[0]!.after;
      for (const { events } of list) {
        const at = await log.append(subject, events, after);
        appended.push({ subject, events, ...at });
        after = at.seq;
      }
      return appended;
    }),
  );
  return landed.flat();
}

export function isWrongLastSequence(e: unknown): e is JetStreamApiError {
  return e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamWrongLastSequence;
}

/**
 * The subject's tail as the server named it when it refused an append ("wrong last sequence: 42"),
 * so a writer that guessed an old tail appends again at once instead of asking for it first.
 */
export function tailNamedIn(refusal: JetStreamApiError): number | undefined {
  const named = /^wrong last sequence: (\d+)$/.exec(refusal.message)?.[1];
  return named === undefined ? undefined : Number(named);
}
