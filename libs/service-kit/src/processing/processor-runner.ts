import { Logger } from '@nestjs/common';
import { partitionOf } from '@kite/contracts';
import { EventPublisher, groupBy, isNatsSilence, isUnavailable, openReader, ReaderStalled, type Delivery, type NatsChange, type NatsConnection, type Reader } from '@kite/messaging';
import { createPartitions, repartition, type DataSource } from '@kite/persistence';
import { BatchHandling, checkpointMoved, StaleBatch, type ProcessingObserver } from './batch-handling.js';
import { BatchQueue, type Read } from './batch-queue.js';
import { LiveHold } from './live-hold.js';
import { LEASE_SECONDS } from './partition-leases.js';
import type { Processor } from './processor.js';
import { BACKOFF_MS, MAX_ATTEMPTS, NATS_SILENCE_RETRY_MS, OUTAGE_RETRY_MS, outageWait, sleep } from './retry-policy.js';

export type { ProcessingObserver } from './batch-handling.js';

/** Messages read and not yet handled, at most: the reader waits beyond. */
const WINDOW = 2_000;
const CONCURRENCY = 2;

/**
 * The processor shell. It reads its stream in order from where the partitions it holds stand (their
 * checkpoints), skips what other instances hold, decodes, and hands what is waiting to the processor
 * in one transaction that also locks and moves the checkpoints, or, for a processor that holds its
 * state, without one, its writes left to the group commit (`BatchHandling`; at most two calls at
 * once, never two of one partition). A failure is tried again with a backoff, the batch split by
 * partition, then message by message, so one message that keeps failing is dead-lettered with its
 * reason and the messages behind it go on; an outage is waited out, uncounted.
 */
export class ProcessorRunner<Item, State> {
  private owned = new Set<number>();
  private readonly handling: BatchHandling<Item, State>;
  private readonly queue: BatchQueue<Item>;
  private reader: Reader | undefined;
  private reading: Promise<void> = Promise.resolve();
  private generation = 0;
  private behind = Number.POSITIVE_INFINITY;
  private workers: Promise<void>[] = [];
  private stopping = false;
  rebuilding = false; // while the service rebuilds its read models (`Processors`)
  private readonly hold = new LiveHold();
  private failure: unknown;
  private readonly logger: Logger;
  readonly consumer: string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ds: DataSource,
    readonly processor: Processor<Item, State>,
    readonly partitions: number,
    service: string,
    private readonly observer?: ProcessingObserver,
  ) {
    this.consumer = `${service}-${processor.name}`;
    this.logger = new Logger(this.consumer);
    // A processor that reads in bursts lingers on the server: what it reads together is handled at once.
    this.queue = new BatchQueue<Item>(processor.batch ?? 500, processor.burst ? 0 : (processor.linger ?? 0), (p) => this.handling.checkpoints.get(p) ?? 0);
    this.handling = new BatchHandling(ds, processor, {
      consumer: this.consumer,
      service,
      publisher: new EventPublisher(nc),
      logger: this.logger,
      observer,
      generation: () => this.generation,
      owned: () => this.owned,
      busy: (p) => this.queue.holds(p),
      readAgain: () => void this.readAgain(),
    });
  }

  /** Before the first read: the processor's checkpoints, in its partition count; `owner`, this instance's name. */
  async prepare(owner: string | null = null): Promise<void> {
    await repartition(this.ds, this.processor.name, this.partitions, owner, LEASE_SECONDS);
    await createPartitions(this.ds, this.processor.name, this.processor.stream, this.partitions);
    for (let i = 0; i < CONCURRENCY; i++) this.workers.push(this.work(i === 0 ? 1 : (this.processor.batch ?? 500)));
  }

  /** The partitions this instance holds now (its leases): reads again from where any new one stands. */
  async assign(partitions: readonly number[]): Promise<void> {
    const gained = partitions.filter((p) => !this.owned.has(p));
    this.owned = new Set(partitions);
    this.queue.keep(this.owned);
    if (gained.length > 0 || (this.owned.size === 0 && this.reader)) await this.readAgain();
  }

  get held(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Reading (or holding nothing), and nothing failed. */
  get healthy(): boolean {
    return this.failure === undefined && (this.owned.size === 0 || this.reader !== undefined);
  }

  /** Everything the stream held for the partitions held is handled. */
  get caughtUp(): boolean {
    return this.healthy && (this.owned.size === 0 || (this.behind === 0 && this.queue.idle && !this.handling.pending));
  }

  /** Messages of the stream not read yet, and read but not handled. */
  get lag(): number {
    return (Number.isFinite(this.behind) ? this.behind : 0) + this.queue.length;
  }

  /** NATS said something beneath the readers changed: the reader ends if its consumer may be gone, and is opened again. */
  readonly heed = (change: NatsChange): void => void this.reader?.heed(change);

  private async readAgain(): Promise<void> {
    // From here no batch of what was read before can be taken, nor committed (`StaleBatch`).
    const generation = ++this.generation;
    this.queue.keep();
    await this.reader?.close();
    await this.reading;
    this.reader = undefined;
    try {
      await this.handling.readCheckpoints(this.stopping ? [] : [...this.owned], generation);
      if (this.owned.size === 0 || this.stopping || generation !== this.generation) return;
      const from = Math.min(...this.handling.checkpoints.values()) + 1;
      const { stream, filterSubject, burst } = this.processor;
      const reader = await openReader(this.nc, stream, filterSubject, from, burst);
      if (generation !== this.generation) return void (await reader.close());
      this.reader = reader;
      this.behind = reader.waitingAtStart;
      this.failure = undefined;
      this.reading = this.read(reader, generation).then(
        () => this.readingEnded(generation, new Error(`reading ${this.processor.stream} ended`)),
        (e: unknown) => this.readingEnded(generation, e),
      );
    } catch (e) {
      this.readingEnded(generation, e);
    }
  }

  /**
   * Reading failed or ended while it should go on: not healthy, and read again from the checkpoints:
   * at once after a stall (its consumer is gone, the stream is likely led elsewhere now), soon when
   * NATS left the reader's requests unanswered (a stream still electing its leader), after 2 s
   * otherwise (an outage).
   */
  private readingEnded(generation: number, e: unknown): void {
    if (this.stopping || generation !== this.generation) return;
    this.failure = e;
    const stalled = e instanceof ReaderStalled;
    const delay = stalled ? 0 : isNatsSilence(e) ? NATS_SILENCE_RETRY_MS : OUTAGE_RETRY_MS;
    this.observer?.readingRestarted?.(this.consumer, stalled ? 'stalled' : 'failed');
    this.logger.warn(`reading again${delay ? ` in ${delay / 1000} s` : ''}: ${e instanceof Error ? e.message : String(e)}`);
    setTimeout(() => void (generation === this.generation && this.readAgain()), delay).unref();
  }

  private async read(reader: Reader, generation: number): Promise<void> {
    for await (const burst of reader.bursts()) {
      if (generation !== this.generation) return;
      let queued = false;
      for (const d of burst) queued = this.enqueue(d) || queued;
      if (queued || burst.at(-1)!.pending === 0) this.queue.wake();
      while (this.queue.length >= WINDOW && !this.stopping && generation === this.generation) await this.queue.changed();
    }
  }

  /** Queues a message of a partition this instance holds and has not handled; passes over the rest. */
  private enqueue(d: Delivery): boolean {
    const { processor } = this;
    this.behind = d.pending;
    // Keyed by the subject, a message another instance holds is never decoded here.
    const decoded = processor.keyOf ? this.decode(d) : undefined;
    const key = decoded && 'item' in decoded ? processor.keyOf!(decoded.item) : d.subject;
    const partition = partitionOf(key, this.partitions);
    const live = !this.handling.replayed.covers(key, d.seq);
    const handled = this.handling.handled.covers(key, d.seq);
    if (this.owned.has(partition) && d.seq > (this.handling.checkpoints.get(partition) ?? 0) && !handled && !this.hold.holds(partition, live)) {
      this.queue.push({ subject: d.subject, seq: d.seq, partition, live, rebuilding: this.rebuilding, data: d.data, readAt: performance.now(), ...(decoded ?? this.decode(d)) });
      return true;
    }
    return false;
  }

  /** On a rebuild (`liveAfterRebuild`): only what is replayed is handled, what would be decided on waits. */
  holdLive(): void {
    this.hold.start();
  }

  /** The read models are rebuilt: what was held back is read again, from the checkpoints, and decided on. */
  async releaseLive(): Promise<void> {
    if (this.hold.release()) await this.readAgain();
  }

  private decode(d: Delivery): { item: Item } | { failure: string } {
    try {
      return { item: this.processor.decode(d) };
    } catch (e) {
      return { failure: e instanceof Error ? e.message : String(e) };
    }
  }

  /** A worker: it starts a call when at least `starting` messages wait in partitions no other call holds. */
  private async work(starting: number): Promise<void> {
    while (!this.stopping) {
      const batch = this.queue.take(starting, this.stopping);
      if (batch.length === 0) {
        await this.queue.changed();
        continue;
      }
      try {
        await this.settle(batch, this.generation);
      } finally {
        this.queue.release(batch);
      }
    }
  }

  /**
   * Handles the batch, or its parts, or its messages one by one, until each is handled or
   * dead-lettered. A holding processor's batch is handled without a transaction; once it fails, it
   * is handled as any other's (`careful`), after what was handled before it is committed.
   */
  private async settle(batch: Read<Item>[], generation: number, deadReason?: string, careful = this.handling.careful(batch)): Promise<void> {
    for (let attempt = 1, outages = 0; !this.stopping; attempt++) {
      try {
        return await (careful ? this.handling.commit(batch, generation, deadReason) : this.handling.apply(batch, generation));
      } catch (e) {
        if (!(await this.handling.failed(batch, careful))) return;
        careful = true;
        if (e instanceof StaleBatch) return;
        if (checkpointMoved(e)) return void this.readAgain();
        const reason = e instanceof Error ? e.message : String(e);
        if (isUnavailable(e)) {
          attempt--;
          await sleep(isNatsSilence(e) ? NATS_SILENCE_RETRY_MS : outageWait(++outages));
          continue;
        }
        this.observer?.settled(this.consumer, 'retry', 0);
        if (batch.length > 1) {
          const byPartition = [...groupBy(batch, (r) => String(r.partition)).values()];
          for (const part of byPartition.length > 1 ? byPartition : batch.map((r) => [r])) await this.settle(part, generation, undefined, true);
          return;
        }
        if (attempt >= MAX_ATTEMPTS) return this.settle(batch, generation, `failed ${attempt} times, last: ${reason}`, true);
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1]!);
      }
    }
  }

  /** Stops reading and waits, at most `timeoutMs`, for the calls under way. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.generation++;
    await this.reader?.close();
    this.queue.stop();
    await Promise.race([Promise.allSettled([this.reading, ...this.workers]), sleep(timeoutMs)]);
    await this.handling.flush();
  }
}
