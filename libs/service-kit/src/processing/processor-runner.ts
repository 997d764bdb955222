import { Logger } from '@nestjs/common';
import { partitionOf, tenantOfSubject } from '@kite/contracts';
import { EventPublisher, groupBy, isUnavailable, publishDeadLetter, StreamReader, type Delivery, type NatsConnection } from '@kite/messaging';
import { createPartitions, inTransaction, lockCheckpoints, readCheckpoints, saveCheckpoints, type DataSource } from '@kite/persistence';
import { BatchQueue, type Read } from './batch-queue.js';
import type { Processor, Received } from './processor.js';

export interface ProcessingObserver {
  settled(processor: string, outcome: 'ack' | 'retry' | 'dead', seconds: number): void;
  called?(processor: string, messages: number, seconds: number): void;
}

/** Another instance moved a checkpoint this one counted on: it held the partition meanwhile. */
class CheckpointMoved extends Error {}
/** The batch was taken before this instance read its checkpoints again: it is read again from them. */
class StaleBatch extends Error {}

const BACKOFF_MS = [100, 500, 2_000, 5_000];
const MAX_ATTEMPTS = 5;
/** How soon work that met an outage (PostgreSQL or NATS unreachable) is tried again; outages are not counted as attempts. */
const OUTAGE_RETRY_MS = 2_000;
/** Messages read and not yet handled, at most: the reader waits beyond. */
const WINDOW = 2_000;
const CONCURRENCY = 2;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The processor shell. It reads its stream in order from where the partitions it holds stand
 * (their checkpoints), skips what other instances hold, decodes, and hands what is waiting to the
 * processor in one transaction that also locks and moves the checkpoints (at most two calls at
 * once, never two of one partition). A failure is tried again with a backoff, the batch split by
 * partition and then message by message, so one message that keeps failing is dead-lettered with
 * its reason and the messages behind it go on; an outage is waited out, uncounted.
 */
export class ProcessorRunner<Item, State> {
  private owned = new Set<number>();
  /** Where each partition held stands in the database, and (ahead of it by messages that needed no transaction) here. */
  private committed = new Map<number, number>();
  private checkpoints = new Map<number, number>();
  private readonly queue: BatchQueue<Item>;
  private reader: StreamReader | undefined;
  private reading: Promise<void> = Promise.resolve();
  private generation = 0;
  private behind = Number.POSITIVE_INFINITY;
  private workers: Promise<void>[] = [];
  private stopping = false;
  private failure: unknown;
  private readonly publisher: EventPublisher;
  private readonly logger: Logger;
  readonly consumer: string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ds: DataSource,
    readonly processor: Processor<Item, State>,
    readonly partitions: number,
    private readonly service: string,
    private readonly observer?: ProcessingObserver,
  ) {
    this.publisher = new EventPublisher(nc);
    this.consumer = `${service}-${processor.name}`;
    this.logger = new Logger(this.consumer);
    this.queue = new BatchQueue<Item>(processor.batch ?? 500, processor.linger ?? 0, (p) => this.checkpoints.get(p) ?? 0);
  }

  async prepare(): Promise<void> {
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
    return this.healthy && (this.owned.size === 0 || (this.behind === 0 && this.queue.idle));
  }

  /** Messages of the stream not read yet, and read but not handled. */
  get lag(): number {
    return (Number.isFinite(this.behind) ? this.behind : 0) + this.queue.length;
  }

  private async readAgain(): Promise<void> {
    // From here no batch of what was read before can be taken, nor committed (`StaleBatch`).
    const generation = ++this.generation;
    this.queue.keep();
    await this.reader?.close();
    await this.reading;
    this.reader = undefined;
    if (this.owned.size === 0 || this.stopping) return;
    try {
      this.committed = await readCheckpoints(this.ds, this.processor.name, [...this.owned]);
      this.checkpoints = new Map(this.committed);
      const from = Math.min(...this.checkpoints.values()) + 1;
      const reader = await StreamReader.open(this.nc, this.processor.stream, this.processor.filterSubject, from);
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

  /** Reading failed or ended while it should go on: not healthy, and read again from the checkpoints soon. */
  private readingEnded(generation: number, e: unknown): void {
    if (this.stopping || generation !== this.generation) return;
    this.failure = e;
    this.logger.warn(`reading again in ${OUTAGE_RETRY_MS / 1000} s: ${e instanceof Error ? e.message : String(e)}`);
    setTimeout(() => void (generation === this.generation && this.readAgain()), OUTAGE_RETRY_MS).unref();
  }

  private async read(reader: StreamReader, generation: number): Promise<void> {
    const { processor } = this;
    for await (const d of reader.deliveries()) {
      if (generation !== this.generation) return;
      this.behind = d.pending;
      // Keyed by the subject, a message another instance holds is never decoded here.
      const decoded = processor.keyOf ? this.decode(d) : undefined;
      const partition = partitionOf(decoded && 'item' in decoded ? processor.keyOf!(decoded.item) : d.subject, this.partitions);
      if (this.owned.has(partition) && d.seq > (this.checkpoints.get(partition) ?? 0)) {
        this.queue.push({ subject: d.subject, seq: d.seq, partition, data: d.data, readAt: performance.now(), ...(decoded ?? this.decode(d)) });
      } else if (d.pending === 0) this.queue.wake();
      while (this.queue.length >= WINDOW && !this.stopping && generation === this.generation) await this.queue.changed();
    }
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

  /** Handles the batch, or its parts, or its messages one by one, until each is handled or dead-lettered. */
  private async settle(batch: Read<Item>[], generation: number, deadReason?: string): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        return await this.commit(batch, generation, deadReason);
      } catch (e) {
        if (e instanceof StaleBatch) return;
        if (e instanceof CheckpointMoved) return void this.readAgain();
        const reason = e instanceof Error ? e.message : String(e);
        if (isUnavailable(e)) {
          attempt--;
          await sleep(OUTAGE_RETRY_MS);
          continue;
        }
        this.observer?.settled(this.consumer, 'retry', 0);
        if (batch.length > 1) {
          const byPartition = [...groupBy(batch, (r) => String(r.partition)).values()];
          for (const part of byPartition.length > 1 ? byPartition : batch.map((r) => [r])) await this.settle(part, generation);
          return;
        }
        if (attempt >= MAX_ATTEMPTS) return this.settle(batch, generation, `failed ${attempt} times, last: ${reason}`);
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1]!);
      }
    }
  }

  /** One transaction: lock and check the checkpoints, handle (or dead-letter), move the checkpoints. */
  private async commit(batch: Read<Item>[], generation: number, deadReason?: string): Promise<void> {
    const started = performance.now();
    const { processor } = this;
    const partitions = [...new Set(batch.map((r) => r.partition))].sort((a, b) => a - b);
    if (deadReason === undefined && processor.concerns && batch.every((r) => 'item' in r && !processor.concerns!(r.item))) {
      // No transaction: the database checkpoint moves with the next one (read again, these change nothing).
      if (generation !== this.generation) throw new StaleBatch();
      for (const r of batch) this.checkpoints.set(r.partition, Math.max(r.seq, this.checkpoints.get(r.partition) ?? 0));
      return;
    }
    const decoded = deadReason === undefined ? batch.flatMap((r) => ('item' in r ? [r] : [])) : [];
    // Before a connection is taken: a load may look things up (a cached configuration) on its own.
    const load = decoded.length && processor.load ? await processor.load(decoded.map((r) => ({ ...r, live: true }))) : undefined;
    const handled = await inTransaction(this.ds, async (tx) => {
      const [positions, marks, ...loaded] = (await tx.queryAll([...lockCheckpoints(processor.name, processor.stream, partitions), ...(load?.statements ?? [])])) as [{ partition: number; position: string }[], { mark: string }[], ...unknown[][]];
      // Checked under the lock: a batch from before the checkpoints were read again would compare with the new ones.
      if (generation !== this.generation) throw new StaleBatch();
      for (const { partition, position } of positions) if (Number(position) !== (this.committed.get(partition) ?? 0)) throw new CheckpointMoved();
      const mark = Number(marks[0]?.mark ?? 0);
      const items: Received<Item>[] = decoded.map(({ item, subject, seq, partition }) => ({ item, subject, seq, partition, live: seq > mark }));
      if (items.length) await processor.handle(tx, items, (load ? load.decode(loaded) : undefined) as State);
      const reasons = batch.map((r) => deadReason ?? ('failure' in r ? r.failure : undefined));
      const dead = batch.flatMap((r, i) => (reasons[i] === undefined ? [] : [{ r, reason: reasons[i] }]));
      await Promise.all(dead.map(({ r, reason }) => this.deadLetter(r, reason)));
      const moved = new Map(partitions.map((p) => [p, Math.max(...batch.filter((r) => r.partition === p).map((r) => r.seq))]));
      await saveCheckpoints(tx, processor.name, moved);
      return { items, moved, dead: dead.length };
    });
    for (const [p, seq] of handled.moved) for (const stands of [this.committed, this.checkpoints]) stands.set(p, seq);
    processor.committed?.(handled.items);
    const seconds = (performance.now() - started) / 1000;
    this.observer?.called?.(this.consumer, batch.length, seconds);
    for (let i = 0; i < batch.length; i++) this.observer?.settled(this.consumer, i < handled.dead ? 'dead' : 'ack', seconds);
  }

  private deadLetter(r: Read<Item>, reason: string): Promise<void> {
    this.logger.warn(`set aside as a dead letter: ${r.subject} #${r.seq}: ${reason}`);
    const letter = { reason, service: this.service, stream: this.processor.stream, consumer: this.consumer, subject: r.subject, seq: r.seq, deliveries: 1 };
    return publishDeadLetter(this.publisher, letter, r.data, tenantOfSubject(r.subject));
  }

  /** Stops reading and waits, at most `timeoutMs`, for the calls under way. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.generation++;
    await this.reader?.close();
    this.queue.stop();
    await Promise.race([Promise.allSettled([this.reading, ...this.workers]), sleep(timeoutMs)]);
  }
}
