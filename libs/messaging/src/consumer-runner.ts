import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { tenantOfSubject } from '@kite/contracts';
import { publishDeadLetter } from './dead-letter.js';
import { decodeLogEntry, PREVIOUS_HEADER, type LogEntry } from './event-log.js';
import { EventPublisher } from './publisher.js';
import { isNotFound } from './streams.js';

/** What a handler decides about a delivery; returning nothing means `ack`. */
export type Settlement = { kind: 'ack' } | { kind: 'retry'; reason: string } | { kind: 'dead'; reason: string; tenant?: string | undefined };

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
  orderingKey?: (subject: string) => string;
}

export interface SettlementObserver {
  settled(durable: string, outcome: 'ack' | 'retry' | 'dead', seconds: number): void;
  /** One handler call: how many deliveries it took and how long it ran. */
  called?(durable: string, deliveries: number, seconds: number): void;
}

const DEFAULT_BACKOFF = [200, 1_000, 3_000, 10_000] as const;

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
 */
export class ConsumerRunner {
  private messages: ConsumerMessages | undefined;
  private pending: Pending[] = [];
  private readonly busy = new Set<string>();
  private readonly workers: Promise<void>[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private stopping = false;
  private failure: unknown;
  private loop: Promise<void> | undefined;
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

  /** Creates or updates the durable consumer: idempotent, safe from several instances at once. */
  async provision(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: this.spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
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

  async start(): Promise<void> {
    await this.provision();
    const consumer = await jetstream(this.nc).consumers.get(this.spec.stream, this.spec.durable);
    this.messages = await consumer.consume({ max_messages: Math.min(this.window, 1_000) });
    const messages = this.messages;
    const keyOf = this.spec.orderingKey ?? ((s: string) => s);
    this.loop = (async () => {
      for await (const m of messages) {
        while (this.pending.length >= this.window && !this.stopping) await new Promise<void>((r) => this.waiting.push(r));
        if (this.stopping) m.nak();
        else this.pending.push({ message: m, key: keyOf(m.subject) });
        this.signal();
      }
    })()
      .catch((e: unknown) => {
        this.failure = e;
      })
      .finally(() => {
        this.closed = true;
        this.signal();
      });
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.work(i === 0 ? 1 : this.batchSize));
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
      const batch = this.pending.length >= starting ? this.take() : [];
      if (batch.length === 0) {
        if (this.closed || this.stopping) return;
        await new Promise<void>((r) => this.waiting.push(r));
        continue;
      }
      try {
        await this.run(batch.map((p) => p.message));
      } finally {
        for (const p of batch) this.busy.delete(p.key);
        this.signal();
      }
    }
  }

  /** The next deliveries to handle, in stream order: none of a key another call holds. */
  private take(): Pending[] {
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
      if (batch.length > 1) {
        for (const m of batch) await this.run([m]);
        return;
      }
      settlements = [retry(e instanceof Error ? e.message : String(e))];
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
    const settlement = proposed.kind === 'retry' && deliveryCount >= maxAttempts ? deadLetter(`failed ${deliveryCount} times, last: ${proposed.reason}`) : proposed;
    switch (settlement.kind) {
      case 'ack':
        m.ack();
        return 'ack';
      case 'retry': {
        const backoff = this.spec.backoffMs ?? DEFAULT_BACKOFF;
        m.nak(backoff[Math.min(deliveryCount - 1, backoff.length - 1)]);
        return 'retry';
      }
      case 'dead':
        try {
          await publishDeadLetter(
            this.publisher,
            { reason: settlement.reason, service: this.spec.service, stream: this.spec.stream, consumer: this.spec.durable, subject: m.subject, seq: m.seq, deliveries: deliveryCount },
            m.data,
            settlement.tenant ?? tenantOfSubject(m.subject),
          );
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

  /**
   * Stops pulling, sends back what was pulled and not started (it comes again to another instance,
   * or after a restart, at the latest once the ack wait is over), then waits, at most `timeoutMs`,
   * for the handler calls under way to settle.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const p of this.pending.splice(0)) p.message.nak();
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
