import { Inject, Injectable, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@kite/contracts';
import { AckedPublisher } from '../acked-publish.js';
import { connectNats } from '../connection.js';
import { ConversationLog } from '../conversation-log.js';
import { EventLog } from '../event-log.js';
import { EventPublisher } from '../publisher.js';
import type { NatsSettings } from '../nats-settings.js';
import { provisionStreams, streamConfigs, untilStreamsExist } from '../streams.js';
import type { NatsChange } from '../stream-reader.js';
import { isUnavailable } from '../unavailable.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The conversations' log (KITE_CONV, with `kite.out`), the configuration's (KITE_CONFIG), and a publisher. */
export const CONVERSATION_LOG = Symbol('CONVERSATION_LOG');
export const CONFIGURATION_LOG = Symbol('CONFIGURATION_LOG');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

export const NATS_SETTINGS = Symbol('NATS_SETTINGS');
/** The advisory NATS publishes when a stream has a new leader: publishes waiting on the old one are sent again, readers ask their consumers. */
const LEADER_ELECTED = '$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.*';
/** How long a permission refused keeps the service not ready. */
const REFUSAL_UNHEALTHY_MS = 60_000;

export interface JetStreamModuleOptions {
  settings: NatsSettings;
  /** The service name: the connection's name. */
  service: string;
}

/**
 * Creates the streams or brings them to the configured replicas and limits (or, for a user not
 * allowed to, waits until they exist) before anything consumes, knows whether the connection is up,
 * and tells when what the readers' consumers stand on may have gone (`onChange`).
 */
@Injectable()
export class NatsStatus implements OnModuleInit {
  private readonly logger = new Logger('NATS');
  /** False from a lost connection to NATS until the client has connected again. */
  private up = true;
  /** Permissions the server refused this connection since it started, and when it last did. */
  refusals = 0;
  private lastRefusal = Number.NEGATIVE_INFINITY;
  private readonly changeListeners: ((change: NatsChange) => void)[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_SETTINGS) private readonly settings: NatsSettings,
  ) {}

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** Connected, and no permission refused in the last minute: a deployment whose permissions miss something is not ready. */
  get healthy(): boolean {
    return this.connected && performance.now() - this.lastRefusal > REFUSAL_UNHEALTHY_MS;
  }

  /**
   * Calls `listener` whenever a consumer may have been lost with a NATS node: the connection came
   * back (to a restarted server, or another node), the cluster's membership changed (the server's
   * INFO), or a stream elected a new leader. Each is an event NATS sends anyway, so noticing costs
   * nothing while idle; the consumers' heartbeats are left to catch what these miss.
   */
  onChange(listener: (change: NatsChange) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(why: string, reconnected = false): void {
    for (const listener of this.changeListeners) listener({ why, reconnected });
  }

  async onModuleInit(): Promise<void> {
    void this.watch();
    this.nc.subscribe(LEADER_ELECTED, {
      callback: (error, msg) => {
        if (error) return;
        const why = `${msg.subject.slice(LEADER_ELECTED.length - 1)} elected a new leader`;
        AckedPublisher.of(this.nc).giveUpWaiting(why);
        this.changed(why);
      },
    });
    const configs = streamConfigs(this.settings.limits);
    // A cluster starting with the services has no JetStream leader for a few seconds: waited for.
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.settings.streams === 'provision') {
          for (const { name, replicas } of await provisionStreams(this.nc, configs)) this.logger.warn(`${name} keeps its ${replicas} replicas, more than KITE_STREAM_REPLICAS=${this.settings.limits.replicas} asks: only npm run streams lowers them`);
          return;
        }
        return await untilStreamsExist(this.nc, configs.map((c) => c.name), (missing) => this.logger.warn(`waiting for the streams ${missing.join(', ')} to be provisioned (npm run streams)`));
      } catch (e) {
        if (!isUnavailable(e)) throw e;
        if (attempt % 5 === 1) this.logger.warn(`JetStream is not available yet (${(e as Error).message}): trying again`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting' || status.type === 'staleConnection') {
        if (this.up) this.logger.warn(`NATS connection lost (${status.type}): not ready until it is back`);
        this.up = false;
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.logger.log('NATS connection back');
        this.changed('the connection to NATS came back', true);
      } else if (status.type === 'update') {
        this.changed('the NATS cluster changed');
      } else if (status.type === 'error') {
        // A permission refused is a deployment's mistake (docs/operations.md): said loudly, every time.
        if (status.error instanceof PermissionViolationError) {
          this.refusals++;
          this.lastRefusal = performance.now();
        }
        this.logger.error(`NATS: ${status.error.message}`);
      }
    }
  }
}

@Module({})
export class JetStreamModule {
  static forRoot(options: JetStreamModuleOptions): DynamicModule {
    return {
      module: JetStreamModule,
      global: true,
      providers: [
        { provide: NATS_SETTINGS, useValue: options.settings },
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.settings.url, options.service, options.settings.credentials) },
        { provide: CONVERSATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => ConversationLog.open(nc) },
        { provide: CONFIGURATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => EventLog.open(nc, STREAMS.config.name) },
        { provide: EVENT_PUBLISHER, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new EventPublisher(nc) },
        NatsStatus,
      ],
      exports: [NATS_CONNECTION, NatsStatus, CONVERSATION_LOG, CONFIGURATION_LOG, EVENT_PUBLISHER],
    };
  }
}
