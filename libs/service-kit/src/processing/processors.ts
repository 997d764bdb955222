import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { hostname } from 'node:os';
import { STREAMS } from '@kite/contracts';
import { NATS_CONNECTION, NatsStatus, streamLastSequence, type NatsConnection } from '@kite/messaging';
import { readPartitionMarks, setPartitionMarks, type DataSource } from '@kite/persistence';
import { DATA_SOURCE } from '../database.module.js';
import { SERVICE_CONFIG, type ServiceConfig } from '../service-config.js';
import { processingMetrics } from './processing-metrics.js';
import { PartitionLeases } from './partition-leases.js';
import { PROCESSOR_METADATA, type Processor } from './processor.js';
import { ProcessorRunner } from './processor-runner.js';

type AnyRunner = ProcessorRunner<unknown, unknown>;

/** Looked at often: a rebuild waits here between its stages, and the look costs nothing. */
async function untilCaughtUp(runners: readonly AnyRunner[]): Promise<void> {
  while (!runners.every((r) => r.caughtUp)) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Runs every provider marked `@EventProcessor()` once the application has bootstrapped, each
 * through a `ProcessorRunner`, with the partitions its leases give this instance. On a rebuild the
 * event stores' replay marks are set first, then the read models are rebuilt in stages, each once
 * the one before has caught up: the configuration (what replaying the conversations reads: the
 * scheduler plans timers from the actions configured), the rest of what is replayed, and last the
 * processors of inputs. So nothing reads a read model still being rebuilt.
 */
@Injectable()
export class Processors implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Processors');
  private runners: AnyRunner[] = [];
  private leases: PartitionLeases | undefined;
  private started = false;
  private gated = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly nats: NatsStatus,
    private readonly discovery: DiscoveryService,
  ) {}

  /** Connected (no permission refused lately), reading, and not waiting for a rebuild to catch up. */
  get ready(): boolean {
    return this.started && !this.gated && this.nats.healthy && this.runners.every((r) => r.healthy);
  }

  async onApplicationBootstrap(): Promise<void> {
    const processors = this.discovery
      .getProviders()
      .map((w) => w.instance as Processor<unknown, unknown> | undefined)
      .filter((p): p is Processor<unknown, unknown> => !!p && typeof p === 'object' && Reflect.getMetadata(PROCESSOR_METADATA, p.constructor) === true);
    this.runners = processors.map((p) => new ProcessorRunner(this.nc, this.ds, p, p.partitions ?? this.config.partitions, this.config.service, processingMetrics));
    this.nats.onChange((change) => this.runners.forEach((r) => r.heed(change)));
    const owner = `${hostname()}:${this.config.port}`;
    await Promise.all(this.runners.map((r) => r.prepare(owner)));
    const replayed = this.runners.filter((r) => r.processor.replayed);
    if (this.config.rebuild) await this.markReplays(replayed);
    const configuration = replayed.filter((r) => r.processor.stream === STREAMS.config.name);
    const stages = this.config.rebuild ? [configuration, replayed.filter((r) => !configuration.includes(r)), this.runners.filter((r) => !replayed.includes(r))].filter((stage) => stage.length) : [this.runners];
    this.gated = this.config.rebuild;
    this.leases = new PartitionLeases(this.ds, stages[0]!, owner);
    await this.leases.start();
    this.started = true;
    if (!this.config.rebuild) return this.logger.log(`processing: ${this.names(this.runners)}`);
    this.logger.log(`rebuilding before anything else: ${this.names(stages[0]!)}`);
    void this.afterRebuild(stages);
  }

  /**
   * Where each replayed processor stood before the schema was dropped (kept by the database module)
   * is where its replay ends and its decisions start again; one that never stood anywhere (its
   * read model lost) replays its whole stream as it is now, deciding on nothing of it.
   */
  private async markReplays(replayed: readonly AnyRunner[]): Promise<void> {
    for (const { processor } of replayed) {
      if ((await readPartitionMarks(this.ds, 'replay_marks', processor.name)).length === 0) {
        await setPartitionMarks(this.ds, 'replay_marks', [{ processor: processor.name, partitions: 1, partition: 0, untilSeq: await streamLastSequence(this.nc, processor.stream) }]);
      }
    }
    for (const runner of replayed) {
      runner.rebuilding = true;
      if (runner.processor.liveAfterRebuild) runner.holdLive();
    }
  }

  /**
   * Not ready, and each stage processed only once the ones before it have caught up; what waits
   * for the read models (`liveAfterRebuild`) is decided on once every replayed one has.
   */
  private async afterRebuild([first, ...later]: AnyRunner[][]): Promise<void> {
    let running = first!;
    for (const stage of later) {
      await untilCaughtUp(running);
      if (!this.leases) return;
      if (!stage.some((r) => r.processor.replayed)) {
        await this.releaseLive(running);
        await untilCaughtUp(running);
      }
      await this.leases.include(stage);
      this.logger.log(`rebuilt ${this.names(running)}; now also: ${this.names(stage)}`);
      running = [...running, ...stage];
    }
    await untilCaughtUp(running);
    await this.releaseLive(running);
    await untilCaughtUp(running);
    for (const runner of running) runner.rebuilding = false;
    this.gated = false;
    this.logger.log(`rebuilt; processing: ${this.names(this.runners)}`);
  }

  private async releaseLive(runners: readonly AnyRunner[]): Promise<void> {
    for (const runner of runners) await runner.releaseLive();
  }

  private names(runners: AnyRunner[]): string {
    return runners.map((r) => r.consumer).join(', ');
  }

  /** What each processor has still to read and handle, for the metrics endpoint. */
  lags(): Map<string, number> {
    return new Map(this.runners.map((r) => [r.consumer, r.lag]));
  }

  /** Whether every processor has handled everything its stream held for the partitions this instance holds. */
  get caughtUp(): boolean {
    return this.runners.every((r) => r.caughtUp);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    const leases = this.leases;
    this.leases = undefined;
    await Promise.all(this.runners.map((r) => r.stop()));
    await leases?.stop();
    await this.nc.drain().catch(() => undefined);
  }
}
