import type { Logger } from '@nestjs/common';
import { tenantOfSubject } from '@kite/contracts';
import { isUnavailable, publishDeadLetter, type EventPublisher } from '@kite/messaging';
import { advanceCheckpoints, CHECKPOINT_MOVED, inTransaction, QueuedWrites, readCheckpoints, readPartitionMarks, readTogether, type DataSource } from '@kite/persistence';
import type { Read } from './batch-queue.js';
import { GroupCommit, type GroupCommitFailed } from './group-commit.js';
import { isHolding, type HoldingProcessor, type Processor, type Received } from './processor.js';
import { PartitionMarks } from './partition-marks.js';

export interface ProcessingObserver {
  settled(processor: string, outcome: 'ack' | 'retry' | 'dead', seconds: number): void;
  called?(processor: string, messages: number, seconds: number): void;
  /** Reading the stream stopped (a stall, an outage) and is opened again from the checkpoints. */
  readingRestarted?(processor: string, reason: 'stalled' | 'failed'): void;
}

/** Another instance moved a checkpoint this one counted on: it held the partition meanwhile. */
export class CheckpointMoved extends Error {}
/** The batch was taken before this instance read its checkpoints again: it is read again from them. */
export class StaleBatch extends Error {}

export const checkpointMoved = (e: unknown): boolean => e instanceof CheckpointMoved || (e as { code?: string } | undefined)?.code === CHECKPOINT_MOVED;

/** The last message of each partition in the batch: where its checkpoint moves. */
const lastOfEachPartition = (batch: readonly Read<unknown>[]): Map<number, number> => {
  const last = new Map<number, number>();
  for (const r of batch) last.set(r.partition, Math.max(r.seq, last.get(r.partition) ?? 0));
  return last;
};

/** What the shell around the handling tells it: who it is, and which read of the stream is current. */
export interface HandlingContext {
  consumer: string;
  service: string;
  publisher: EventPublisher;
  logger: Logger;
  observer?: ProcessingObserver;
  generation(): number;
  /** The partitions the instance holds, and whether a call holds one now. */
  owned(): Iterable<number>;
  busy(partition: number): boolean;
  /** A group commit failed: the stream must be read again from the checkpoints. */
  readAgain(): void;
}

/**
 * How a batch is handled and where the partitions stand: in one transaction that locks, checks
 * and moves their checkpoints (`commit`), or, for a holding processor, from what it holds, its
 * writes left to the group commit (`apply`). After a group commit fails, the batches it held are
 * handled one transaction each again (`careful`): one of them may be what failed.
 */
export class BatchHandling<Item, State> {
  /** Where each partition held stands in the database. */
  committed = new Map<number, number>();
  /** Where each stands here: ahead of the database by what needed no transaction, or waits for the group commit. */
  checkpoints = new Map<number, number>();
  /** What a rebuild only projects again, and what was handled in another partition count (read with the checkpoints). */
  replayed = new PartitionMarks();
  handled = new PartitionMarks();
  private readonly holding: HoldingProcessor<Item, State> | undefined;
  private readonly group: GroupCommit | undefined;
  private readonly carefulThrough = new Map<number, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly processor: Processor<Item, State>,
    private readonly context: HandlingContext,
  ) {
    if (!isHolding(processor)) return;
    this.holding = processor;
    const landed = (moves: ReadonlyMap<number, number>) => {
      moves.forEach((seq, p) => this.committed.set(p, seq));
      this.trimHeld();
    };
    this.group = new GroupCommit(ds, processor.name, processor.commitEvery, (p) => this.committed.get(p) ?? 0, landed, (e) => this.groupFailed(e));
  }

  /** Writes handled and not committed yet. */
  get pending(): boolean {
    return this.group?.pending ?? false;
  }

  /** Before reading again: what is pending is committed if it can be, what is held forgotten, and the checkpoints read. */
  async readCheckpoints(partitions: readonly number[], generation: number): Promise<void> {
    if (this.group) {
      await this.group.flush();
      this.group.clear();
      this.holding!.held.drop();
    }
    if (partitions.length === 0) return;
    const committed = await readCheckpoints(this.ds, this.processor.name, partitions);
    const [replayed, handled] = await Promise.all([readPartitionMarks(this.ds, 'replay_marks', this.processor.name), readPartitionMarks(this.ds, 'handled_marks', this.processor.name)]);
    // A later read began meanwhile: its positions are the newer ones.
    if (generation !== this.context.generation()) return;
    this.committed = committed;
    [this.replayed, this.handled] = [new PartitionMarks(replayed), new PartitionMarks(handled)];
    this.checkpoints = new Map(committed);
  }

  /** Whether the batch is handled in a transaction of its own. */
  careful(batch: readonly Read<Item>[]): boolean {
    return !this.group || batch.some((r) => r.seq <= (this.carefulThrough.get(r.partition) ?? 0));
  }

  /**
   * The batch failed: what a holding processor decided in it is forgotten, and what was handled
   * before it committed, so that it can be handled carefully. False when that commit failed (the
   * stream is read again).
   */
  async failed(batch: readonly Read<Item>[], careful: boolean): Promise<boolean> {
    this.holding?.held.drop(new Set(batch.map((r) => r.partition)));
    return careful || this.group!.flush();
  }

  /** A holding processor's batch: decided from what it holds (reading only what it does not), its writes left to the group commit. */
  async apply(batch: Read<Item>[], generation: number): Promise<void> {
    const started = performance.now();
    const processor = this.holding!;
    const items = batch.flatMap((r) => ('item' in r ? [{ item: r.item, subject: r.subject, seq: r.seq, partition: r.partition, live: r.live, rebuilding: r.rebuilding }] : []));
    // While commits lag, a failed one would repeat what was published since: wait for them.
    if (!(await this.group!.ready())) throw new StaleBatch();
    if (this.concernsNone(batch)) {
      // Nothing to commit: the database checkpoint moves with the next group (read again, these change nothing).
      if (generation !== this.context.generation()) throw new StaleBatch();
      lastOfEachPartition(batch).forEach((seq, p) => this.checkpoints.set(p, Math.max(seq, this.checkpoints.get(p) ?? 0)));
      return;
    }
    const writes = new QueuedWrites();
    if (items.length) {
      const load = processor.load ? await processor.load(items) : undefined;
      const rows = load ? await readTogether(this.ds, load.statements) : [];
      if (generation !== this.context.generation()) throw new StaleBatch();
      await processor.handle(writes, items, (load ? load.decode(rows) : undefined) as State);
    }
    const dead = batch.flatMap((r) => ('failure' in r ? [{ r, reason: r.failure }] : []));
    await Promise.all(dead.map(({ r, reason }) => this.deadLetter(r, reason)));
    if (generation !== this.context.generation()) throw new StaleBatch();
    const moves = lastOfEachPartition(batch);
    moves.forEach((seq, p) => this.checkpoints.set(p, seq));
    this.group!.add(writes, moves);
    this.report(batch.length, dead, started);
  }

  /** One transaction: move (and so lock) the checkpoints from where they stood, handle (or dead-letter), commit. */
  async commit(batch: Read<Item>[], generation: number, deadReason?: string): Promise<void> {
    const started = performance.now();
    const { processor } = this;
    if (deadReason === undefined && this.concernsNone(batch)) {
      // No transaction: the database checkpoint moves with the next one (read again, these change nothing).
      if (generation !== this.context.generation()) throw new StaleBatch();
      lastOfEachPartition(batch).forEach((seq, p) => this.checkpoints.set(p, Math.max(seq, this.checkpoints.get(p) ?? 0)));
      return;
    }
    // A holding processor's writes, pending or being committed, land first: the checkpoints only move forward.
    if (this.group && !(await this.group.flush())) throw new StaleBatch();
    const decoded = deadReason === undefined ? batch.flatMap((r) => ('item' in r ? [r] : [])) : [];
    // Before a connection is taken: a load may look things up (a cached configuration) on its own.
    const load = decoded.length && processor.load ? await processor.load(decoded) : undefined;
    const moved = lastOfEachPartition(batch);
    const handled = await inTransaction(this.ds, async (tx) => {
      const [advanced, ...loaded] = await tx.queryAll([advanceCheckpoints(processor.name, this.committed, moved), ...(load?.statements ?? [])]);
      // Checked under the lock: a batch from before the checkpoints were read again would compare with the new ones.
      if (generation !== this.context.generation()) throw new StaleBatch();
      // Not moved: another instance moved it meanwhile, or changed the partition count (no checkpoint left).
      if (advanced!.length !== moved.size) throw new CheckpointMoved();
      const items: Received<Item>[] = decoded.map(({ item, subject, seq, partition, live, rebuilding }) => ({ item, subject, seq, partition, live, rebuilding }));
      if (items.length) await processor.handle(tx, items, (load ? load.decode(loaded) : undefined) as State);
      const reasons = batch.map((r) => deadReason ?? ('failure' in r ? r.failure : undefined));
      const dead = batch.flatMap((r, i) => (reasons[i] === undefined ? [] : [{ r, reason: reasons[i] }]));
      await Promise.all(dead.map(({ r, reason }) => this.deadLetter(r, reason)));
      return { items, dead };
    });
    for (const [p, seq] of moved) for (const stands of [this.committed, this.checkpoints]) stands.set(p, seq);
    processor.committed?.(handled.items);
    this.report(batch.length, handled.dead, started);
  }

  /** Every message of the batch decoded, and none of them can change the processor's state or make it decide. */
  private concernsNone(batch: readonly Read<Item>[]): boolean {
    const { concerns } = this.processor;
    return concerns !== undefined && batch.every((r) => 'item' in r && !concerns.call(this.processor, r.item));
  }

  /** Commits what is pending (on a stop). */
  async flush(): Promise<void> {
    await this.group?.flush();
  }

  /** What is held of a partition beyond a bound is forgotten while all of it is committed and no call holds the partition. */
  private trimHeld(): void {
    const bound = this.holding!.heldPerPartition ?? 20_000;
    for (const p of this.context.owned()) if (this.holding!.held.sizeOf(p) > bound && !this.group!.holds(p) && !this.context.busy(p)) this.holding!.held.drop([p]);
  }

  /** A group commit failed: what it held is handled again from the checkpoints, one transaction per batch (one may be what failed). */
  private groupFailed(e: GroupCommitFailed): void {
    if (!checkpointMoved(e.cause) && !isUnavailable(e.cause)) e.moves.forEach((seq, p) => this.carefulThrough.set(p, Math.max(seq, this.carefulThrough.get(p) ?? 0)));
    this.context.logger.warn(`reading again from the checkpoints: ${e.message}`);
    this.context.readAgain();
  }

  /** Counts what was settled, and logs each dead letter once, after it landed (not on every attempt to land it). */
  private report(messages: number, dead: readonly { r: Read<Item>; reason: string }[], started: number): void {
    const seconds = (performance.now() - started) / 1000;
    const { observer, consumer, logger } = this.context;
    for (const { r, reason } of dead) logger.warn(`set aside as a dead letter: ${r.subject} #${r.seq}: ${reason}`);
    observer?.called?.(consumer, messages, seconds);
    for (let i = 0; i < messages; i++) observer?.settled(consumer, i < dead.length ? 'dead' : 'ack', seconds);
  }

  private deadLetter(r: Read<Item>, reason: string): Promise<void> {
    const { service, consumer, publisher } = this.context;
    const letter = { reason, service, stream: this.processor.stream, consumer, subject: r.subject, seq: r.seq, deliveries: 1 };
    return publishDeadLetter(publisher, letter, r.data, tenantOfSubject(r.subject));
  }
}
