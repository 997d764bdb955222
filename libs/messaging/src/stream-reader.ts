import { DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { isUnavailable } from './unavailable.js';

/** One message read from a stream, with how many more its filter held when it was sent. */
export interface Delivery {
  subject: string;
  seq: number;
  data: Uint8Array;
  pending: number;
}

/**
 * How a reader pulls. nats-server 2.9.10 can drop a pull request that expires as a message arrives
 * without the 408 that tells the client, which then waits for deliveries that never come until two
 * idle heartbeats are missed. Pulls that rarely expire make that rare. A consumer lost with its node
 * is noticed from the events NATS sends (`NatsStatus.onChange`); the heartbeat, every 10 s while
 * idle, is there for what those miss, and each one wakes the server and the service
 * (docs/architecture.md).
 */
export const PULL_TIMING = { expires: 300_000, idle_heartbeat: 10_000 } as const;

/**
 * How long a reader waiting for messages goes without one and without a heartbeat before it
 * counts its consumer as lost (two heartbeats missed, and a second more). The client's own recovery
 * from that waits out a pull's expiry (5 minutes) when the consumer's node is gone; the reader
 * ends instead, and is opened again where its checkpoints stand, on whichever node leads now.
 */
export const STALL_MS = 2 * PULL_TIMING.idle_heartbeat + 1_000;

/**
 * How long a consumer's creation may take before it is asked again. nats-server 2.9 places a new
 * consumer on any node of its stream, a lost one included; the request then goes unanswered, and
 * the next one is likely placed elsewhere. A creation takes milliseconds otherwise.
 */
export const CONSUMER_API_TIMEOUT_MS = 500;
const OPEN_ATTEMPTS = 8;

/** How long a consumer asked whether it is still there may take to answer before it counts as gone: long enough for a busy server. */
const ANSWER_MS = 2_000;

/** Whether the stream's consumer answers within `ANSWER_MS`: not when it went with its node. */
export async function consumerAnswers(nc: NatsConnection, stream: string, consumer: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc, { timeout: ANSWER_MS, checkAPI: false });
  return jsm.consumers.info(stream, consumer).then(
    () => true,
    () => false,
  );
}

/** Where a consumer reading from `fromSeq` starts. */
export const startingAt = (fromSeq: number): { deliver_policy: DeliverPolicy; opt_start_seq?: number } =>
  fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : { deliver_policy: DeliverPolicy.All };

/** Opens a reader's consumer, asking again at once while JetStream does not answer (a node lost, a leader being elected). */
export async function openingConsumer<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      if (!isUnavailable(e) || attempt >= OPEN_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Something beneath the readers' consumers changed (`NatsStatus.onChange`): the connection came back (`reconnected`), or the cluster changed. */
export interface NatsChange {
  why: string;
  reconnected: boolean;
}

/** Why a reader ended by itself: its consumer sent nothing, not even a heartbeat, for `STALL_MS`, or may be gone (`heed`). */
export class ReaderStalled extends Error {
  override readonly name = 'ReaderStalled';
}

/**
 * Reads a stream in order from `fromSeq` through an ordered consumer: no acknowledgements, no state
 * on the server beyond the consumer itself. The reader keeps where it stands elsewhere (its
 * checkpoints), so stopping and reading again from there is all a failure needs: a reader whose
 * consumer falls silent ends (`ReaderStalled`), to be opened again on whichever node leads now.
 */
export class StreamReader {
  /** When the reader last heard from its consumer (a message or a heartbeat), or began to wait for it. */
  private lastSign = performance.now();
  private waiting = false;
  /** Why the reader ended by itself, once it has. */
  private stalled: string | undefined;
  /**
   * Fires `STALL_MS` after the last sign at the latest. Each heartbeat puts it off, so an idle
   * reader is woken by its heartbeats alone; under load it fires every `STALL_MS` and is set again.
   */
  private watchdog: NodeJS.Timeout;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly consumer: Consumer,
    private readonly messages: ConsumerMessages,
    /** Messages the filter held past the start when the reader began. */
    readonly waitingAtStart: number,
  ) {
    void this.heedHeartbeats();
    this.watchdog = setTimeout(() => this.check(), STALL_MS).unref();
  }

  /** Opens a reader, asking again at once while JetStream does not answer (a node lost, a leader being elected). */
  static open(nc: NatsConnection, stream: string, filterSubject: string, fromSeq: number, maxMessages = 1_000): Promise<StreamReader> {
    const start = startingAt(fromSeq);
    return openingConsumer(async () => {
      const consumer = await jetstream(nc, { timeout: CONSUMER_API_TIMEOUT_MS }).consumers.get(stream, { filter_subjects: filterSubject, ...start });
      // What the consumer's creation answered: how many messages its filter held past the start.
      const { num_pending: waiting } = await consumer.info(true);
      return new StreamReader(nc, stream, consumer, await consumer.consume({ max_messages: maxMessages, ...PULL_TIMING }), waiting);
    });
  }

  /** The messages in stream order, each as it came; ends with `ReaderStalled` when the consumer fell silent. */
  async *bursts(): AsyncGenerator<Delivery[]> {
    const messages = this.messages[Symbol.asyncIterator]();
    for (;;) {
      // Only time spent waiting counts: a reader its caller pauses is not stalled.
      this.lastSign = performance.now();
      this.waiting = true;
      const next = await messages.next();
      this.waiting = false;
      if (next.done) break;
      const m = next.value;
      yield [{ subject: m.subject, seq: m.seq, data: m.data, pending: m.info.pending }];
    }
    if (this.stalled) throw new ReaderStalled(this.stalled);
  }

  /** Ends the reader (`ReaderStalled`) after a reconnect, or when its consumer does not answer (`consumerAnswers`): gone with its node. */
  async heed({ why, reconnected }: NatsChange): Promise<void> {
    if (reconnected) return this.end(`${this.stream}'s consumer was read through the old connection (${why})`);
    // The ordered consumer's current one: the client replaces it after a gap in deliveries.
    const { name } = await this.consumer.info(true);
    if (!(await consumerAnswers(this.nc, this.stream, name))) this.end(`${this.stream}'s consumer does not answer (${why})`);
  }

  /**
   * Stops the consumer: its subscription and timers end at once. The client's own promise settles
   * only when its iterator is read up to the stop, which a caller that stopped reading never does,
   * so it is not waited for.
   */
  async close(): Promise<void> {
    clearTimeout(this.watchdog);
    void this.messages.close().catch(() => undefined);
  }

  private end(why: string): void {
    this.stalled ??= why;
    void this.close();
  }

  private async heedHeartbeats(): Promise<void> {
    for await (const status of this.messages.status()) {
      if (status.type !== 'heartbeat') continue;
      this.lastSign = performance.now();
      this.watchdog.refresh();
    }
  }

  /** Ends the reader when it has waited `STALL_MS` without a sign from its consumer; else looks again when it could have. */
  private check(): void {
    const silent = performance.now() - this.lastSign;
    if (this.waiting && silent >= STALL_MS) return this.end(`nothing from ${this.stream}'s consumer, not even a heartbeat, for ${STALL_MS / 1000} s: its node lost`);
    this.watchdog = setTimeout(() => this.check(), this.waiting ? STALL_MS - silent : STALL_MS).unref();
  }
}
