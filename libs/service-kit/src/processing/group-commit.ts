import { commitTogether, moveCheckpoints, type DataSource, type Statement } from '@kite/persistence';

/** A group commit that did not land: its writes are gone, and the checkpoints it would have moved are named. */
export class GroupCommitFailed extends Error {
  constructor(
    readonly moves: ReadonlyMap<number, number>,
    override readonly cause: unknown,
  ) {
    super(`the commit of a group of batches failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * The writes of a holding processor's batches, handled and not committed yet, and where they move
 * the checkpoints: committed together, fenced by the checkpoints (`move_checkpoints`), in one
 * round trip, `everyMs` milliseconds after the first of them (a group commit). One commit runs at
 * a time; what is handled meanwhile waits for the next. Once a commit failed, nothing more is
 * taken or committed until `clear`: what came after it builds on writes that did not land.
 */
export class GroupCommit {
  private writes: Statement[] = [];
  private moves = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private broken = false;

  constructor(
    private readonly ds: DataSource,
    private readonly processor: string,
    private readonly everyMs: number,
    /** Where a partition's checkpoint stands in the database. */
    private readonly committedAt: (partition: number) => number,
    private readonly landed: (moves: ReadonlyMap<number, number>) => void,
    private readonly failed: (e: GroupCommitFailed) => void,
  ) {}

  get pending(): boolean {
    return this.moves.size > 0;
  }

  /** Whether writes of the partition wait to be committed. */
  holds(partition: number): boolean {
    return this.moves.has(partition);
  }

  add(writes: readonly Statement[], moves: ReadonlyMap<number, number>): void {
    if (this.broken) return;
    this.writes.push(...writes);
    for (const [partition, seq] of moves) this.moves.set(partition, seq);
    this.timer ??= setTimeout(() => void this.flush().catch((e: GroupCommitFailed) => this.failed(e)), this.everyMs);
  }

  /** Commits what is pending now, after the commit under way; throws `GroupCommitFailed`. */
  flush(): Promise<void> {
    const run = this.running.catch(() => undefined).then(() => this.commitPending());
    this.running = run;
    return run;
  }

  /** Forgets what is pending (read again from the checkpoints, it is handled again), and takes writes again. */
  clear(): void {
    this.forget();
    this.broken = false;
  }

  private forget(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writes = [];
    this.moves = new Map();
  }

  private async commitPending(): Promise<void> {
    const { writes, moves } = this;
    this.forget();
    if (moves.size === 0 || this.broken) return;
    const from = new Map([...moves.keys()].map((p) => [p, this.committedAt(p)]));
    try {
      await commitTogether(this.ds, [moveCheckpoints(this.processor, from, moves), ...writes]);
    } catch (e) {
      this.broken = true;
      this.forget();
      throw new GroupCommitFailed(moves, e);
    }
    this.landed(moves);
  }
}
