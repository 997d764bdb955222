import type { Received } from './processor.js';

/** A message as read: decoded, or the reason it could not be. */
export type Read<Item> = Omit<Received<Item>, 'item' | 'live'> & ({ item: Item } | { failure: string }) & { data: Uint8Array; readAt: number };

/**
 * The messages read and not yet handled, in stream order, and the partitions a call holds. A batch
 * is taken from partitions no call holds; with a linger, one that is not full waits until its
 * oldest message has waited that long.
 */
export class BatchQueue<Item> {
  private waiting: Read<Item>[] = [];
  private readonly busy = new Set<number>();
  private readonly sleepers: (() => void)[] = [];
  private lingering: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly lingerMs: number,
    /** Where each partition stands: what is at or below it was handled meanwhile. */
    private readonly handledUpTo: (partition: number) => number,
  ) {}

  get length(): number {
    return this.waiting.length;
  }

  /** Nothing waits and no call is under way. */
  get idle(): boolean {
    return this.waiting.length === 0 && this.busy.size === 0;
  }

  push(read: Read<Item>): void {
    this.waiting.push(read);
    this.wake();
  }

  /** Keeps only what waits in these partitions (all of it when none are named). */
  keep(partitions?: ReadonlySet<number>): void {
    this.waiting = partitions ? this.waiting.filter((r) => partitions.has(r.partition)) : [];
  }

  /** The next batch, once at least `starting` messages wait in partitions no call holds; its partitions are held until `release`. */
  take(starting: number, stopping: boolean): Read<Item>[] {
    const fresh = (r: Read<Item>) => r.seq > this.handledUpTo(r.partition);
    const free = this.waiting.filter((r) => !this.busy.has(r.partition) && fresh(r));
    if (free.length < starting) return [];
    const waited = performance.now() - free[0]!.readAt;
    if (free.length < this.limit && waited < this.lingerMs && !stopping) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.wake();
      }, this.lingerMs - waited);
      return [];
    }
    const taken = new Set(free.slice(0, this.limit));
    this.waiting = this.waiting.filter((r) => !taken.has(r) && fresh(r));
    for (const r of taken) this.busy.add(r.partition);
    return [...taken];
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
