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

export interface ConsumerSpec {
  /** The service that owns the consumer: names its dead letters. */
  service: string;
  stream: string;
  durable: string;
  filterSubject: string;
  /** Deliveries handled at once; those with the same ordering key are handled one after another. */
  concurrency?: number;
  /** Attempts before an event that keeps failing is dead-lettered. */
  maxAttempts?: number;
  backoffMs?: readonly number[];
  ackWaitMs?: number;
  orderingKey?: (subject: string) => string;
}

export interface SettlementObserver {
  settled(durable: string, outcome: 'ack' | 'retry' | 'dead', seconds: number): void;
}

const DEFAULT_BACKOFF = [200, 1_000, 3_000, 10_000] as const;

/**
 * Runs one durable pull consumer: bounded in-flight work, order kept per key within the process,
 * ack only once the handler has returned (its work committed), nak with backoff on failure, and
 * after `maxAttempts` the event goes to the dead letter with the reason, never blocking the rest.
 */
export class ConsumerRunner {
  private messages: ConsumerMessages | undefined;
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly publisher: EventPublisher;

  constructor(
    private readonly nc: NatsConnection,
    readonly spec: ConsumerSpec,
    private readonly handler: DeliveryHandler,
    private readonly observer?: SettlementObserver,
  ) {
    this.publisher = new EventPublisher(nc);
  }

  private get concurrency(): number {
    return this.spec.concurrency ?? 64;
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
      max_ack_pending: Math.max(1000, this.concurrency * 4),
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
    this.messages = await consumer.consume({ max_messages: this.concurrency });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) {
        while (this.inFlight >= this.concurrency) await new Promise<void>((r) => (this.wake = r));
        this.dispatch(m);
      }
    })();
  }

  private dispatch(m: JsMsg): void {
    const key = (this.spec.orderingKey ?? ((s: string) => s))(m.subject);
    this.inFlight++;
    const before = this.chains.get(key) ?? Promise.resolve();
    const next = before.then(() => this.handle(m)).finally(() => {
      this.inFlight--;
      if (this.chains.get(key) === next) this.chains.delete(key);
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
    this.chains.set(key, next);
  }

  private async handle(m: JsMsg): Promise<void> {
    const started = performance.now();
    const deliveryCount = m.info.deliveryCount;
    const maxAttempts = this.spec.maxAttempts ?? 5;
    let settlement: Settlement;
    try {
      settlement = (await this.handler({ subject: m.subject, seq: m.seq, data: m.data, headers: m.headers, deliveryCount })) ?? ack();
    } catch (e) {
      settlement = retry(e instanceof Error ? e.message : String(e));
    }
    if (settlement.kind === 'retry' && deliveryCount >= maxAttempts) {
      settlement = deadLetter(`failed ${deliveryCount} times, last: ${settlement.reason}`);
    }
    const outcome = await this.settle(m, settlement, deliveryCount);
    this.observer?.settled(this.spec.durable, outcome, (performance.now() - started) / 1000);
  }

  private async settle(m: JsMsg, settlement: Settlement, deliveryCount: number): Promise<'ack' | 'retry' | 'dead'> {
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

  /** Stops pulling, then waits (bounded) for in-flight deliveries to settle. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    const settled = Promise.allSettled([...this.chains.values(), this.loop]);
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
