import { Inject, Injectable, Logger, Module, SetMetadata, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@kite/contracts';
import { connectNats } from '../connection.js';
import { EventLog } from '../event-log.js';
import { EventPublisher } from '../publisher.js';
import { ConsumerRunner, type ConsumerSpec, type DeliveryHandler, type SettlementObserver } from '../consumer-runner.js';
import { provisionStreams } from '../streams.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const SETTLEMENT_OBSERVER = Symbol('SETTLEMENT_OBSERVER');
/** The conversations' event log (KITE_CONV), the configuration's (KITE_CONFIG), and a publisher. */
export const CONVERSATION_LOG = Symbol('CONVERSATION_LOG');
export const CONFIGURATION_LOG = Symbol('CONFIGURATION_LOG');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
const HANDLER_METADATA = 'kite:jetstream-handler';

/** Marks a method `(delivery) => Promise<Settlement | void>` as the handler of a durable consumer. */
export const JetStreamHandler = (spec: Omit<ConsumerSpec, 'service'>): MethodDecorator => SetMetadata(HANDLER_METADATA, spec);

export interface JetStreamModuleOptions {
  url: string;
  /** The service name: the connection's name and the owner of its dead letters. */
  service: string;
  /** Told of every settlement (for metrics). */
  observer?: SettlementObserver;
  /** Delete this service's consumers first, so they replay their streams from the start. */
  rebuild?: boolean;
}

/**
 * Starts every decorated handler's consumer once the application has bootstrapped (streams
 * provisioned first), and on shutdown stops pulling, lets in-flight work settle, then drains.
 */
@Injectable()
export class JetStreamConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JetStream');
  private readonly runners: ConsumerRunner[] = [];
  private started = false;
  private stopping = false;
  /** False from a lost connection to NATS until the client has connected again. */
  private connected = true;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject('KITE_JETSTREAM_OPTIONS') private readonly options: JetStreamModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(SETTLEMENT_OBSERVER) private readonly observer: SettlementObserver | null,
  ) {}

  /** Consuming, connected to NATS, every consumer live: a new one (a rebuild) is not ready until it has caught up. */
  get ready(): boolean {
    return this.started && this.connected && !this.nc.isClosed() && this.runners.every((r) => r.healthy && r.live);
  }

  async onApplicationBootstrap(): Promise<void> {
    void this.watchConnection();
    await provisionStreams(this.nc);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[name] as DeliveryHandler;
        const spec = Reflect.getMetadata(HANDLER_METADATA, method) as Omit<ConsumerSpec, 'service'> | undefined;
        if (!spec) continue;
        // Durable names are the service's own: two services never share a consumer.
        const durable = `${this.options.service}-${spec.durable}`;
        this.runners.push(new ConsumerRunner(this.nc, { ...spec, durable, service: this.options.service }, method.bind(instance), this.observer ?? undefined));
      }
    }
    if (this.options.rebuild) {
      // Read models are rebuilt from the event stores only; inputs already handled are not replayed.
      const stores: string[] = [STREAMS.config.name, STREAMS.conversations.name];
      await Promise.all(this.runners.filter((r) => stores.includes(r.spec.stream)).map((r) => r.deleteConsumer()));
    }
    const catchingUp = await Promise.all(this.runners.map((r) => r.willCatchUp()));
    const fresh = this.runners.filter((_, i) => catchingUp[i]);
    const others = this.runners.filter((_, i) => !catchingUp[i]);
    await Promise.all(fresh.map((r) => r.start()));
    this.started = true;
    if (fresh.length === 0) {
      await Promise.all(others.map((r) => r.start()));
      this.logger.log(`consuming: ${this.runners.map((r) => r.spec.durable).join(', ')}`);
      return;
    }
    // The other consumers (deciders on live inputs among them) start once every catch-up has
    // ended, so no decision reads a read model that is still being rebuilt.
    this.logger.log(`catching up before consuming anything else: ${fresh.map((r) => r.spec.durable).join(', ')}`);
    this.startAfterCatchUps(fresh, others).catch((e: unknown) => this.logger.error(`starting the consumers after the catch-up failed: ${String(e)}`));
  }

  private async startAfterCatchUps(fresh: ConsumerRunner[], others: ConsumerRunner[]): Promise<void> {
    await Promise.all(fresh.map((r) => r.caughtUp()));
    const failed = fresh.filter((r) => !r.live);
    if (this.stopping) return;
    if (failed.length) {
      this.logger.error(`catching up failed or stopped: ${failed.map((r) => r.spec.durable).join(', ')}; not consuming ${others.map((r) => r.spec.durable).join(', ')}`);
      return;
    }
    await Promise.all(others.map((r) => r.start()));
    this.logger.log(`caught up; consuming: ${this.runners.map((r) => r.spec.durable).join(', ')}`);
  }

  /** Lag per durable consumer, for the metrics endpoint. */
  async lags(): Promise<Map<string, number>> {
    const entries = await Promise.all(this.runners.map(async (r) => [r.spec.durable, await r.lag().catch(() => Number.NaN)] as const));
    return new Map(entries);
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting' || status.type === 'staleConnection') {
        if (this.connected) this.logger.warn(`NATS connection lost (${status.type}): not ready until it is back`);
        this.connected = false;
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.log('NATS connection back');
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    this.stopping = true;
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.nc.drain().catch(() => undefined);
  }
}

@Module({})
export class JetStreamModule {
  static forRoot(options: JetStreamModuleOptions): DynamicModule {
    return {
      module: JetStreamModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: 'KITE_JETSTREAM_OPTIONS', useValue: options },
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.url, options.service) },
        { provide: SETTLEMENT_OBSERVER, useValue: options.observer ?? null },
        { provide: CONVERSATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => EventLog.open(nc, STREAMS.conversations.name) },
        { provide: CONFIGURATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => EventLog.open(nc, STREAMS.config.name) },
        { provide: EVENT_PUBLISHER, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new EventPublisher(nc) },
        JetStreamConsumers,
      ],
      exports: [NATS_CONNECTION, JetStreamConsumers, SETTLEMENT_OBSERVER, CONVERSATION_LOG, CONFIGURATION_LOG, EVENT_PUBLISHER],
    };
  }
}
