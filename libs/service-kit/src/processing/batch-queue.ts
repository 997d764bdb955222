import type { Received } from './processor.js';

/** A message as read: decoded, or the reason it could not be. */
export type Read<Item> = Omit<Received<Item>, 'item'> & ({ item: Item } | { failure: string }) & { data: Uint8Array; readAt: number };

/**
 * The messages read and not yet handled, in stream order per partition, and the partitions a call
 * holds. A batch is taken from partitions no call holds, oldest first; with a linger, one that is
 * not full waits until its oldest message has waited that long, while the next message is expected
 * within it (messages have come that often lately): at 200/s, 5 ms apart, a 6 ms linger takes two
 * messages as the second comes, and a message that comes alone, none expected behind it, goes at
 * once. A worker waiting for a full batch looks again at every message read, so looking costs a step
 * per partition, not per message.
 */
export class BatchQueue<Item> {
  private readonly byPartition = new Map<number, Read<Item>[]>();
  private count = 0;
  private readonly busy = new Set<number>();
  private readonly sleepers: (() => void)[] = [];
  private lingering: NodeJS.Timeout | undefined;
  /** The recent time between two messages read, in ms (an exponential mean of gaps up to twice the linger). */
  private meanGap = 0;
  private lastReadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: number,
    private readonly lingerMs: number,
    /** Where each partition stands: what is at or below it was handled meanwhile. */
    private readonly handledUpTo: (partition: number) => number,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Nothing waits and no call is under way. */
  get idle(): boolean {
    return this.count === 0 && this.busy.size === 0;
  }

  /** Queues a message read; the reader wakes the workers (`wake`) once it queued what came together. */
  push(read: Read<Item>): void {
    const gap = Math.min(Math.max(read.readAt - this.lastReadAt, 0), 2 * this.lingerMs);
    this.meanGap += (gap - this.meanGap) / 4;
    this.lastReadAt = Math.max(this.lastReadAt, read.readAt);
    const waiting = this.byPartition.get(read.partition);
    if (waiting) waiting.push(read);
    else this.byPartition.set(read.partition, [read]);
    this.count++;
  }

  /** Keeps only what waits in these partitions (all of it when none are named). */
  keep(partitions?: ReadonlySet<number>): void {
    for (const [partition, waiting] of this.byPartition) {
      if (partitions?.has(partition)) continue;
      this.count -= waiting.length;
      this.byPartition.delete(partition);
    }
  }

  /** The next batch, once at least `starting` messages wait in partitions no call holds; its partitions are held until `release`. */
  take(starting: number, stopping: boolean): Read<Item>[] {
    const free: Read<Item>[][] = [];
    let waiting = 0;
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    for (const [partition, reads] of this.byPartition) {
      if (this.busy.has(partition)) continue;
      this.dropHandled(partition, reads);
      if (reads.length === 0) continue;
      free.push(reads);
      waiting += reads.length;
      oldest = Math.min(oldest, reads[0]!.readAt);
      newest = Math.max(newest, reads[reads.length - 1]!.readAt);
    }
    if (waiting === 0 || waiting < starting) return [];
    const waited = performance.now() - oldest;
    const nextExpectedInTime = newest + this.meanGap < oldest + this.lingerMs;
    if (waiting < this.limit && waited < this.lingerMs && nextExpectedInTime && !stopping) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.wake();
      }, this.lingerMs - waited);
      return [];
    }
    clearTimeout(this.lingering);
    this.lingering = undefined;
    // Catching up (a full batch waiting), a batch takes the partitions whose oldest messages are
    // oldest, half of those with work, and leaves the rest to the other call: one decides while the
    // other's commit runs. Under light load a batch takes all there is, in one transaction.
    const taking = waiting >= this.limit && free.length > 1 ? free.sort((a, b) => a[0]!.seq - b[0]!.seq).slice(0, Math.ceil(free.length / 2)) : free;
    const batch = (taking.length === 1 ? taking[0]! : taking.flat().sort((a, b) => a.seq - b.seq)).slice(0, this.limit);
    // Per partition, a batch takes the oldest: the head of its list.
    const taken = new Map<number, number>();
    for (const r of batch) taken.set(r.partition, (taken.get(r.partition) ?? 0) + 1);
    for (const [partition, n] of taken) {
      this.byPartition.get(partition)!.splice(0, n);
      this.busy.add(partition);
    }
    this.count -= batch.length;
    return batch;
  }

  /** What was handled meanwhile (passed over, or read again) is dropped. */
  private dropHandled(partition: number, reads: Read<Item>[]): void {
    const upTo = this.handledUpTo(partition);
    let stale = 0;
    while (stale < reads.length && reads[stale]!.seq <= upTo) stale++;
    if (stale === 0) return;
    reads.splice(0, stale);
    this.count -= stale;
  }

  /** Whether a call holds the partition now. */
  holds(partition: number): boolean {
    return this.busy.has(partition);
  }

  release(batch: readonly Read<Item>[]): void {
    for (const r of batch) this.busy.delete(r.partition);
    this.wake();
  }

  /** Resolves at the next change: a message read, a call settled, a linger over, a stop. */
  changed(): Promise<void> {
    return new Promise<void>((r) => this.sleepers.push(r));
  }

  wake(): void {
    for (const wake of this.sleepers.splice(0)) wake();
  }

  stop(): void {
    clearTimeout(this.lingering);
    this.wake();
  }
}
