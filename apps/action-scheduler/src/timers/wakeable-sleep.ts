/**
 * A sleep that a wake-up can cut short, and that does not miss one: a wake-up that comes while
 * nobody sleeps (the loop is busy claiming or computing its next sleep) shortens the next sleep
 * instead of being lost.
 */
export class WakeableSleep {
  private sleeping: { timer: NodeJS.Timeout; until: number; resolve: () => void } | undefined;
  /** The earliest time asked for while nobody slept. */
  private pending: number | undefined;

  /** Sleeps `ms`, or less when a wake-up asked for an earlier time. */
  sleep(ms: number): Promise<void> {
    if (this.pending !== undefined) {
      ms = Math.min(ms, Math.max(0, this.pending - Date.now()));
      this.pending = undefined;
    }
    return new Promise((resolve) => {
      const done = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: setTimeout(done, ms), until: Date.now() + ms, resolve: done };
    });
  }

  /** Something is due at `at` (none given: now): whoever sleeps past it wakes then. */
  wake(at = Date.now()): void {
    if (!this.sleeping) {
      this.pending = Math.min(this.pending ?? Number.POSITIVE_INFINITY, at);
      return;
    }
    if (at >= this.sleeping.until) return;
    const { timer, resolve } = this.sleeping;
    clearTimeout(timer);
    if (at > Date.now() + 5) this.sleeping = { timer: setTimeout(resolve, at - Date.now()), until: at, resolve };
    else resolve();
  }
}
