import { Logger } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { claimPartitions, inTransaction, releasePartitions, renewLeases, type DataSource } from '@kite/persistence';
import type { ProcessorRunner } from './processor-runner.js';

/** How often an instance renews its leases; a lease not renewed for `LEASE_SECONDS` is free for another instance. */
const RENEW_MS = 3_000;
const LEASE_SECONDS = 10;

/**
 * Shares each processor's partitions among the instances of the service: every few seconds an
 * instance says it is alive, renews its leases, gives back what is beyond its fair share
 * (partitions / instances alive, rounded up) and takes free partitions up to it. An instance that
 * stops gives its partitions back at once; one that dies loses them when its leases run out.
 */
export class PartitionLeases {
  private readonly logger = new Logger('PartitionLeases');
  readonly owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private runners: readonly ProcessorRunner<unknown, unknown>[],
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
    const shares = await inTransaction(this.ds, async (tx) => {
      const { held, instances } = await renewLeases(tx, this.owner, LEASE_SECONDS);
      const shares = new Map<ProcessorRunner<unknown, unknown>, number[]>();
      for (const runner of this.runners) {
        const name = runner.processor.name;
        const fair = Math.ceil(runner.partitions / instances);
        const mine = held.get(name) ?? [];
        if (mine.length > fair) await releasePartitions(tx, this.owner, name, mine.slice(fair));
        const claimed = mine.length < fair ? await claimPartitions(tx, this.owner, name, fair - mine.length, LEASE_SECONDS) : [];
        shares.set(runner, [...mine.slice(0, fair), ...claimed].sort((a, b) => a - b));
      }
      return shares;
    });
    for (const [runner, mine] of shares) if (mine.join() !== runner.held.join()) await runner.assign(mine);
  }

  /** Stops renewing and gives every partition back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await inTransaction(this.ds, (tx) => releasePartitions(tx, this.owner)).catch(() => undefined);
  }
}
