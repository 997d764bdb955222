import { Logger } from '@nestjs/common';
import { claimPartitions, releasePartitions, renewLeases, type DataSource } from '@kite/persistence';
import type { ProcessorRunner } from './processor-runner.js';

/** How often an instance renews its leases; a lease not renewed for `LEASE_SECONDS` is free for another instance. */
const RENEW_MS = 5_000;
export const LEASE_SECONDS = 15;

/**
 * Shares each processor's partitions among the instances of the service: every few seconds an
 * instance says it is alive, renews its leases, gives back what is beyond its fair share
 * (partitions / instances alive, rounded up) and takes free partitions up to it. An instance that
 * stops gives its partitions back at once; one that dies loses them when its leases run out, unless
 * it comes back first under the same name (its host and port: a restarted pod), which finds its
 * partitions still its own.
 */
export class PartitionLeases {
  private readonly logger = new Logger('PartitionLeases');
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private runners: readonly ProcessorRunner<unknown, unknown>[],
    /** The instance's name, unique among the instances alive: its host and port. */
    readonly owner: string,
  ) {}

  /** Shares these processors' partitions too, from now on. */
  async include(runners: readonly ProcessorRunner<unknown, unknown>[]): Promise<void> {
    this.runners = [...this.runners, ...runners];
    await this.round;
    await this.balance();
  }

  /** Takes this instance's first share, then keeps it up to date. */
  async start(): Promise<void> {
    await this.balance();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.balance()
        .catch((e: unknown) => this.logger.warn(`renewing the partition leases failed, tried again in ${RENEW_MS / 1000} s: ${String(e)}`))
        .finally(() => this.schedule());
    }, RENEW_MS);
  }

  /** One round, in one transaction; then each processor takes the partitions it holds now. */
  private async balance(): Promise<void> {
    const { held, instances } = await renewLeases(this.ds, this.owner, LEASE_SECONDS);
    const shares = new Map<ProcessorRunner<unknown, unknown>, number[]>();
    for (const runner of this.runners) {
      const name = runner.processor.name;
      const fair = Math.ceil(runner.partitions / instances);
      const mine = held.get(name) ?? [];
      if (mine.length > fair) await releasePartitions(this.ds, this.owner, name, mine.slice(fair));
      const claimed = mine.length < fair ? await claimPartitions(this.ds, this.owner, name, fair - mine.length, LEASE_SECONDS) : [];
      shares.set(runner, [...mine.slice(0, fair), ...claimed].sort((a, b) => a - b));
    }
    for (const [runner, mine] of shares) if (mine.join() !== runner.held.join()) await runner.assign(mine);
  }

  /** Stops renewing and gives every partition back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await releasePartitions(this.ds, this.owner).catch(() => undefined);
  }
}
