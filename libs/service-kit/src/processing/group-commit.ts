import { CommitChecks, commitTogether, inTransaction, moveCheckpoints, type DataSource, type QueuedWrites, type Statement } from '@kite/persistence';

/** A group commit that did not land: its writes are gone, and the checkpoints it would have moved are named. */
export class GroupCommitFailed extends Error {
  constructor(
    readonly moves: ReadonlyMap<number, number>,
    override readonly cause: unknown,
  ) {
    super(`the commit of a group of batches failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** How many commit intervals the oldest write may wait before the processor waits for the commit. */
const BEHIND_INTERVALS = 5;

/**
 * The writes of a holding processor's batches, handled and not committed yet, and where they move
 * the checkpoints: committed together, fenced by the checkpoints (`move_checkpoints`), in one
 * round trip, `everyMs` milliseconds after the first of them (a group commit); with the batches'
 * checks (`beforeCommit`) first where they left any, in a second round trip. One commit runs at
 * a time; what is handled meanwhile waits for the next. Once a commit failed (`failed` is told),
 * nothing more is taken or committed until `clear`: what came after it builds on writes that did
 * not land.
 */
export class GroupCommit {
  private writes: Statement[] = [];
  private checks = new CommitChecks();
  private moves = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> = Promise.resolve(true);
  private broken = false;
  private committing = false;
  private oldest = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly processor: string,
    private readonly everyMs: number,
    /** Where a partition's checkpoint stands in the database. */
    private readonly committedAt: (partition: number) => number,
    private readonly landed: (moves: ReadonlyMap<number, number>) => void,
    private readonly failed: (e: GroupCommitFailed) => void,
  ) {}

  /** Writes waiting, being committed, or lost with a failed commit (until `clear`). */
  get pending(): boolean {
    return this.moves.size > 0 || this.committing || this.broken;
  }

  /** Whether writes of the partition wait to be committed. */
  holds(partition: number): boolean {
    return this.moves.has(partition);
  }

  add(writes: Pick<QueuedWrites, 'statements' | 'checks'>, moves: ReadonlyMap<number, number>): void {
    if (this.broken) return;
    if (this.moves.size === 0) this.oldest = performance.now();
    this.writes.push(...writes.statements);
    this.checks.merge(writes.checks);
    for (const [partition, seq] of moves) this.moves.set(partition, seq);
    this.timer ??= setTimeout(() => void this.flush(), this.everyMs);
  }

  /**
   * Before more is decided: while commits lag (the database slow or gone), waits for them, so that
   * what is published and not committed stays a few intervals' worth. False when a commit failed.
   */
  async ready(): Promise<boolean> {
    if (this.broken) return false;
    return this.moves.size === 0 || performance.now() - this.oldest < BEHIND_INTERVALS * this.everyMs || this.flush();
  }

  /** Commits what is pending now, after the commit under way: whether it landed (false once a commit failed). */
  flush(): Promise<boolean> {
    const run = this.running.then(() => this.commitPending());
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
    this.checks = new CommitChecks();
    this.moves = new Map();
  }

  private async commitPending(): Promise<boolean> {
    const { writes, checks, moves } = this;
    this.forget();
    if (this.broken) return false;
    if (moves.size === 0) return true;
    const from = new Map([...moves.keys()].map((p) => [p, this.committedAt(p)]));
    this.committing = true;
    try {
      const move = moveCheckpoints(this.processor, from, moves);
      if (checks.size === 0) await commitTogether(this.ds, [move, ...writes]);
      else await this.commitChecked(move, checks, writes);
    } catch (e) {
      this.broken = true;
      this.forget();
      this.failed(new GroupCommitFailed(moves, e));
      return false;
    } finally {
      this.committing = false;
    }
    this.landed(moves);
    return true;
  }

  /** The checkpoints moved (and so fenced) first, then the checks, then the writes and COMMIT: two round trips or more. */
  private commitChecked(move: Statement, checks: CommitChecks, writes: readonly Statement[]): Promise<void> {
    return inTransaction(this.ds, async (tx) => {
      await tx.queryAll([move]);
      await checks.run(tx);
      for (const { sql, params } of writes) tx.later(sql, params);
    });
  }
}
