import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { tenantOfSubject } from '@kite/contracts';
import { publishDeadLetter } from './dead-letter.js';
import { decodeLogEntry, PREVIOUS_HEADER, type LogEntry } from './event-log.js';
import { EventPublisher } from './publisher.js';
import { isNotFound, streamLastSequence } from './streams.js';
import { isUnavailable } from './unavailable.js';

/**
 * What a handler decides about a delivery; returning nothing means `ack`. `outage`: a server could
 * not be reached; retried until it is back, never dead-lettered for it.
 */
export type Settlement = { kind: 'ack' } | { kind: 'retry'; reason: string; outage?: boolean } | { kind: 'dead'; reason: string; tenant?: string | undefined };

export const ack = (): Settlement => ({ kind: 'ack' });
export const retry = (reason: string): Settlement => ({ kind: 'retry', reason });
export const deadLetter = (reason: string, tenant?: string): Settlement => ({ kind: 'dead', reason, tenant });

export interface Delivery {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
  deliveryCount: number;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<Settlement | void>;
/** Handles several deliveries at once (one transaction, say); one settlement per delivery, in order. */
export type BatchHandler = (deliveries: Delivery[]) => Promise<(Settlement | void)[]>;

export interface ConsumerSpec {
  /** The service that owns the consumer: names its dead letters. */
  service: string;
  stream: string;
  durable: string;
  filterSubject: string;
  /**
   * Deliveries per handler call. Above 1 the handler is a `BatchHandler`: it gets the deliveries
   * waiting (up to this many, never two of one ordering key in two calls at once), in order.
   */
  batch?: number;
  /**
   * Handler calls at once (64 for single deliveries, 2 for batches). Beyond the first, a batch call
   * starts only when a whole batch waits: at light load one call at a time gathers what arrives
   * meanwhile (fewer, larger transactions, less waiting on a busy machine), under a backlog calls
   * overlap their waits on the database and the bus.
   */
  concurrency?: number;
  /** Attempts before an event that keeps failing is dead-lettered. */
  maxAttempts?: number;
  backoffMs?: readonly number[];
  ackWaitMs?: number;
  /** A catch-up that receives nothing for this long, with nothing under way, ends there (5 s). */
  catchUpStallMs?: number;
  orderingKey?: (subject: string) => string;
}

export interface SettlementObserver {
  settled(durable: string, outcome: 'ack' | 'retry' | 'dead', seconds: number): void;
  /** One handler call: how many deliveries it took and how long it ran. */
  called?(durable: string, deliveries: number, seconds: number): void;
}

const DEFAULT_BACKOFF = [200, 1_000, 3_000, 10_000] as const;
/** How soon a delivery that met an outage is tried again. */
const OUTAGE_RETRY_MS = 2_000;
/**
 * How long a pull waits, and how often an idle one hears from the server, for every pull consumer
 * (the runner's, and observers such as the benchmark's). nats-server 2.9.10 can drop a pull request
 * that expires as a message arrives without the 408 that tells the client: the client then counts
 * on deliveries that never come, and pulls again only after two missed idle heartbeats. With the
 * defaults (an expiry of 30 s, heartbeats every 15 s) a consumer quiet for 30 s, then loaded, could
 * stand still for 30 s. Pulls that rarely expire, and heartbeats every second, make that rare and
 * short (see docs/architecture.md).
 */
export const PULL_TIMING = { expires: 300_000, idle_heartbeat: 1_000 } as const;

interface Pending {
  message: JsMsg;
  key: string;
}

/**
 * Runs one durable pull consumer: bounded in-flight work, order kept per key within the process
 * (a key is in one handler call at a time, its deliveries in stream order; a delivery sent back
 * for a retry comes again after those behind it, as with any nak), ack only once the handler has
 * returned (its work committed), nak with backoff on failure, and after `maxAttempts` the event
 * goes to the dead letter with the reason, never blocking the rest. When a batch fails as a whole,
 * each of its deliveries is tried alone, so one bad event cannot hold the others back.
 *
 * A consumer that does not exist yet (a first start, a rebuild) first catches up without acks:
 * an ordered consumer reads what the stream holds (a quarter of the bus's work per message of a
 * durable with acks), the same handler takes it in the same way, and the durable is created to
 * start after the last delivery handled, or at the first that asked for a retry. Handlers are
 * idempotent, so a crash or a second instance catching up at the same time repeats work, never
 * changes a result.
 */
export class ConsumerRunner {
  private messages: ConsumerMessages | undefined;
  private pending: Pending[] = [];
  private readonly busy = new Set<string>();
  private workers: Promise<void>[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private stopping = false;
  private failure: unknown;
  private loop: Promise<void> | undefined;
  /** While catching up: nothing is acknowledged, and the first delivery to retry ends it. */
  private catchUp: { firstUnsettled: number; remaining: number } | undefined;
  private catchingUp: Promise<void> | undefined;
  /** How many of the first pending deliveries have keys that calls hold (none settled since they were looked at). */
  private heldPrefix = 0;
  private consuming = false;
  private waitingAtStart: number | undefined;
  private readonly publisher: EventPublisher;
  private readonly handleBatch: BatchHandler;

  constructor(
    private readonly nc: NatsConnection,
    readonly spec: ConsumerSpec,
    handler: DeliveryHandler | BatchHandler,
    private readonly observer?: SettlementObserver,
  ) {
    this.publisher = new EventPublisher(nc);
    this.handleBatch = this.batchSize > 1 ? (handler as BatchHandler) : async ([d]) => [await (handler as DeliveryHandler)(d!)];
  }

  private get batchSize(): number {
    return Math.max(1, this.spec.batch ?? 1);
  }

  private get concurrency(): number {
    return this.spec.concurrency ?? (this.batchSize > 1 ? 2 : 64);
  }

  /** Deliveries pulled and not yet settled, at most: enough to fill every handler call twice. */
  private get window(): number {
    return Math.max(256, this.batchSize * this.concurrency * 2);
  }

  /** How the client pulls: at most a window of deliveries (1,000 at most), with `PULL_TIMING`. */
  private get pullOptions(): { max_messages: number; expires: number; idle_heartbeat: number } {
    return { max_messages: Math.min(this.window, 1_000), ...PULL_TIMING };
  }

  /**
   * Creates or updates the durable consumer: idempotent, safe from several instances at once. A
   * new one starts at `startSeq` when given (after a catch-up), else at the stream's beginning.
   */
  async provision(startSeq?: number): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: this.spec.durable,
      ack_policy: AckPolicy.Explicit,
      ...(startSeq === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
      filter_subject: this.spec.filterSubject,
      // Short, so that after a crash the unacknowledged work comes back within seconds.
      ack_wait: nanos(this.spec.ackWaitMs ?? 5_000),
      max_ack_pending: Math.max(1000, this.window * 2),
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(this.spec.stream, this.spec.durable);
      await jsm.consumers.update(this.spec.stream, this.spec.durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await jsm.consumers.add(this.spec.stream, config);
      } catch (again) {
        if (!/already in use|exists/i.test(String(again))) throw again;
      }
    }
  }

  /** Consumer lag: messages not yet delivered plus those delivered and not yet acknowledged. */
  async lag(): Promise<number> {
    if (this.catchUp) return this.catchUp.remaining + this.pending.length;
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.consumers.info(this.spec.stream, this.spec.durable);
    return info.num_pending + info.num_ack_pending;
  }

  /** Forgets the consumer's position: the next start replays the stream from its beginning. */
  async deleteConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.delete(this.spec.stream, this.spec.durable).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }

  /**
   * Starts consuming. A new consumer with deliveries waiting first catches up; `start` does not
   * wait for that (a rebuild can take minutes): `live` turns true once the durable consumes.
   */
  async start(): Promise<void> {
    const waiting = this.waitingAtStart ?? (await this.waitingForNewConsumer());
    if (waiting === 0) return this.consumeDurable();
    this.catchUp = { firstUnsettled: Number.POSITIVE_INFINITY, remaining: waiting };
    this.catchingUp = this.catchUpThenConsume().catch((e: unknown) => {
      this.failure = e;
    });
  }

  /** Whether `start` will catch up first: the consumer does not exist yet and the stream holds deliveries for it. */
  async willCatchUp(): Promise<boolean> {
    this.waitingAtStart = await this.waitingForNewConsumer();
    return this.waitingAtStart > 0;
  }

  /** True once the durable consumer consumes (after the catch-up of a new one). */
  get live(): boolean {
    return this.consuming;
  }

  /** Resolves when a catch-up started by `start` has ended and the durable consumes (or failed). */
  async caughtUp(): Promise<void> {
    await this.catchingUp;
  }

  private async consumeDurable(startSeq?: number): Promise<void> {
    await this.provision(startSeq);
    const consumer = await jetstream(this.nc).consumers.get(this.spec.stream, this.spec.durable);
    if (this.stopping) return;
    this.consuming = true;
    this.drive(await consumer.consume(this.pullOptions)).catch((e: unknown) => {
      this.failure = e;
    });
  }

  /** Deliveries the stream holds for this consumer if it does not exist yet; 0 when it does. */
  private async waitingForNewConsumer(): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const exists = await jsm.consumers.info(this.spec.stream, this.spec.durable).then(
      () => true,
      (e: unknown) => {
        if (isNotFound(e)) return false;
        throw e;
      },
    );
    return exists ? 0 : this.deliveriesWaiting();
  }

  /**
   * Handles what the stream holds through an ordered consumer, without acks, up to its tail as it
   * was at the start (or the first delivery that asks for a retry), then consumes the durable from
   * the first delivery not settled.
   */
  private async catchUpThenConsume(): Promise<void> {
    const catchUp = this.catchUp!;
    const tail = await streamLastSequence(this.nc, this.spec.stream);
    const ordered = await jetstream(this.nc).consumers.get(this.spec.stream, { filter_subjects: this.spec.filterSubject });
    const messages = await ordered.consume(this.pullOptions);
    let last = 0;
    let arrived = Date.now();
    // What the probe counted may be gone before it is read (a channel's messages expire): with
    // nothing arriving, nothing waiting and no call under way, the catch-up ends where it is.
    const stallMs = this.spec.catchUpStallMs ?? 5_000;
    const dry = setInterval(() => {
      if (Date.now() - arrived >= stallMs && this.pending.length === 0 && this.busy.size === 0) void messages.close().catch(() => undefined);
    }, stallMs / 4);
    try {
      await this.drive(messages, (m) => {
        arrived = Date.now();
        last = m.seq;
        catchUp.remaining = m.info.pending;
        return m.info.pending === 0 || m.seq >= tail;
      });
    } finally {
      clearInterval(dry);
    }
    const firstUnsettled = Math.min(catchUp.firstUnsettled, ...this.pending.map((p) => p.message.seq), last + 1);
    this.pending = [];
    this.heldPrefix = 0;
    this.catchUp = undefined;
    if (!this.stopping) await this.consumeDurable(firstUnsettled);
  }

  /** How many deliveries the stream holds for this consumer's filter, through a short-lived consumer. */
  private async deliveriesWaiting(): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const probe = await jsm.consumers.add(this.spec.stream, { ack_policy: AckPolicy.None, filter_subject: this.spec.filterSubject, mem_storage: true, inactive_threshold: nanos(10_000) });
    await jsm.consumers.delete(this.spec.stream, probe.name).catch(() => undefined);
    return probe.num_pending;
  }

  /**
   * Feeds the messages to the handler calls until the source ends (or `last` says a message was
   * the last one) and every call has settled.
   */
  private async drive(messages: ConsumerMessages, last?: (m: JsMsg) => boolean): Promise<void> {
    this.messages = messages;
    this.closed = false;
    const keyOf = this.spec.orderingKey ?? ((s: string) => s);
    this.loop = (async () => {
      for await (const m of messages) {
        while (this.pending.length >= this.window && !this.stopping && !this.halted) await new Promise<void>((r) => this.waiting.push(r));
        if (this.catchUp && (this.stopping || this.halted)) break;
        if (this.stopping) {
          m.nak();
          continue;
        }
        this.pending.push({ message: m, key: keyOf(m.subject) });
        this.signal();
        if (last?.(m)) break;
      }
    })()
      .catch((e: unknown) => {
        this.failure = e;
      })
      .finally(() => {
        this.closed = true;
        this.signal();
      });
    this.workers = [];
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.work(i === 0 ? 1 : this.batchSize));
    await Promise.all([this.loop, ...this.workers]);
    if (last) await messages.close().catch(() => undefined);
  }

  /** A catch-up stops taking deliveries once one asked for a retry: the durable starts there. */
  private get halted(): boolean {
    return this.catchUp !== undefined && Number.isFinite(this.catchUp.firstUnsettled);
  }

  /** False once pulling failed (the consumer was deleted, say): the service is not ready then. */
  get healthy(): boolean {
    return this.failure === undefined;
  }

  private signal(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** A worker's loop; it starts a call only when at least `starting` deliveries wait. */
  private async work(starting: number): Promise<void> {
    for (;;) {
      const batch = this.pending.length >= starting && !this.halted ? this.take() : [];
      if (batch.length === 0) {
        if (this.closed || this.stopping || this.halted) return;
        await new Promise<void>((r) => this.waiting.push(r));
        continue;
      }
      try {
        await this.run(batch.map((p) => p.message));
      } finally {
        for (const p of batch) this.busy.delete(p.key);
        this.heldPrefix = 0;
        this.signal();
      }
    }
  }

  /** The next deliveries to handle, in stream order: none of a key another call holds. */
  private take(): Pending[] {
    // While calls hold every key waiting (few keys, a backlog), each arrival wakes the idle worker:
    // look only at what came since the last look, not at the whole backlog again.
    let free = this.heldPrefix;
    while (free < this.pending.length && this.busy.has(this.pending[free]!.key)) free++;
    this.heldPrefix = free;
    if (free === this.pending.length) return [];
    this.heldPrefix = 0;
    const taken: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.pending) {
      if (taken.length < this.batchSize && !this.busy.has(p.key)) taken.push(p);
      else rest.push(p);
    }
    if (taken.length === 0) return taken;
    // Keys of this call stay busy until it settles.
    for (const p of taken) this.busy.add(p.key);
    this.pending = rest;
    return taken;
  }

  private async run(batch: JsMsg[]): Promise<void> {
    const started = performance.now();
    const deliveries = batch.map((m) => ({ subject: m.subject, seq: m.seq, data: m.data, headers: m.headers, deliveryCount: m.info.deliveryCount }));
    let settlements: (Settlement | void)[];
    try {
      settlements = await this.handleBatch(deliveries);
      if (settlements.length !== batch.length) throw new Error(`handler settled ${settlements.length} of ${batch.length} deliveries`);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (isUnavailable(e)) {
        // Every delivery would meet the same outage: none is tried alone, none counts an attempt.
        settlements = batch.map(() => ({ kind: 'retry', reason, outage: true }));
      } else if (batch.length > 1) {
        for (const m of batch) await this.run([m]);
        return;
      } else {
        settlements = [retry(reason)];
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.observer?.called?.(this.spec.durable, batch.length, seconds);
    await Promise.all(
      batch.map(async (m, i) => {
        const outcome = await this.settle(m, settlements[i] ?? ack(), m.info.deliveryCount);
        this.observer?.settled(this.spec.durable, outcome, seconds);
      }),
    );
  }

  private async settle(m: JsMsg, proposed: Settlement, deliveryCount: number): Promise<'ack' | 'retry' | 'dead'> {
    const maxAttempts = this.spec.maxAttempts ?? 5;
    const settlement = proposed.kind === 'retry' && !proposed.outage && deliveryCount >= maxAttempts ? deadLetter(`failed ${deliveryCount} times, last: ${proposed.reason}`) : proposed;
    const catchUp = this.catchUp;
    if (catchUp) {
      // Nothing to acknowledge: the durable, created afterwards, starts at the first delivery not settled.
      const unsettled = () => {
        catchUp.firstUnsettled = Math.min(catchUp.firstUnsettled, m.seq);
        return 'retry' as const;
      };
      if (settlement.kind === 'ack') return 'ack';
      if (settlement.kind === 'retry') return unsettled();
      return this.publishDead(m, settlement, deliveryCount).then(() => 'dead' as const, unsettled);
    }
    switch (settlement.kind) {
      case 'ack':
        m.ack();
        return 'ack';
      case 'retry': {
        const backoff = this.spec.backoffMs ?? DEFAULT_BACKOFF;
        m.nak(settlement.outage ? OUTAGE_RETRY_MS : backoff[Math.min(deliveryCount - 1, backoff.length - 1)]);
        return 'retry';
      }
      case 'dead':
        try {
          await this.publishDead(m, settlement, deliveryCount);
          m.term();
          return 'dead';
        } catch {
          m.nak(1_000);
          return 'retry';
        }
      default: {
        const never: never = settlement;
        return never;
      }
    }
  }

  private publishDead(m: JsMsg, settlement: { reason: string; tenant?: string | undefined }, deliveryCount: number): Promise<void> {
    return publishDeadLetter(
      this.publisher,
      { reason: settlement.reason, service: this.spec.service, stream: this.spec.stream, consumer: this.spec.durable, subject: m.subject, seq: m.seq, deliveries: deliveryCount },
      m.data,
      settlement.tenant ?? tenantOfSubject(m.subject),
    );
  }

  /**
   * Stops pulling, sends back what was pulled and not started (it comes again to another instance,
   * or after a restart, at the latest once the ack wait is over), then waits, at most `timeoutMs`,
   * for the handler calls under way to settle.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const p of this.pending.splice(0)) if (!this.catchUp) p.message.nak();
    this.heldPrefix = 0;
    this.signal();
    const closed = this.messages?.close().catch(() => undefined);
    const settled = Promise.allSettled([closed, ...this.workers, this.loop]);
    await Promise.race([settled, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

/** A delivery from an event-log stream as its entry, or the dead letter that says why it is not one. */
export function logEntryOf(delivery: Delivery): { entry: LogEntry } | { dead: Settlement } {
  try {
    return { entry: decodeLogEntry(delivery.subject, delivery.seq, delivery.headers?.get(PREVIOUS_HEADER), delivery.data) };
  } catch (e) {
    return { dead: deadLetter(`bad log entry: ${(e as Error).message}`) };
  }
}
