import type { Queryable } from '@kite/persistence';
import { claimDueTimers, nextDueAt, type Timer } from './timer-store.js';
import { WakeableSleep } from './wakeable-sleep.js';

export interface TimerLoopOptions {
  /** Runs `work` in one transaction and returns its result. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Handles one due timer inside the claiming transaction: it must delete or move the row. */
  fire(tx: Queryable, timer: Timer, now: number): Promise<void>;
  batchSize?: number;
  /** The longest sleep: timers armed by other instances that no notice announced are seen at least this often. */
  pollMs?: number;
  onError?(error: unknown): void;
  onFired?(timer: Timer, lagMs: number): void;
}

/**
 * Fires due timers: claims a batch (never a timer that is not due yet), handles each, commits, and
 * then either goes on at once (more were due) or sleeps until the next due time, bounded by
 * `pollMs`; `wake(dueAt)` cuts the sleep short when a timer is armed earlier (by this process, or
 * by another one whose notice came).
 */
export class TimerLoop {
  private running = false;
  private readonly alarm = new WakeableSleep();
  private done: Promise<void> | undefined;

  constructor(private readonly options: TimerLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
  }

  /** A timer due at `dueAt` was armed (none given: look now): make sure the loop is not asleep past it, nor about to fall asleep past it. */
  wake(dueAt?: number): void {
    this.alarm.wake(dueAt);
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    while (this.running) {
      let fired = 0;
      try {
        fired = await this.options.transaction(async (tx) => {
          const due = await claimDueTimers(tx, batchSize, Date.now());
          for (const timer of due) {
            const now = Date.now();
            // A timer whose handling fails is retried later; it does not hold back the others.
            await tx.query('SAVEPOINT timer');
            try {
              await this.options.fire(tx, timer, now);
              await tx.query('RELEASE SAVEPOINT timer');
              this.options.onFired?.(timer, now - timer.dueAt);
            } catch (e) {
              await tx.query('ROLLBACK TO SAVEPOINT timer');
              await tx.query(`UPDATE timers SET due_at = clock_timestamp() + interval '30 seconds' WHERE conversation_id = $1 AND action_id = $2`, [timer.conversationId, timer.actionId]);
              this.options.onError?.(e);
            }
          }
          return due.length;
        });
      } catch (e) {
        this.options.onError?.(e);
        await this.sleep(500);
        continue;
      }
      if (fired === batchSize) continue;
      const next = await nextDueAt({ query: (sql, params) => this.options.transaction((tx) => tx.query(sql, params)) }).catch(() => undefined);
      const pollMs = this.options.pollMs ?? 250;
      await this.sleep(next === undefined ? pollMs : Math.min(pollMs, Math.max(0, next - Date.now())));
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.running ? this.alarm.sleep(ms) : Promise.resolve();
  }
}
