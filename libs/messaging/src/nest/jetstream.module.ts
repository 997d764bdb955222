import { Inject, Injectable, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@kite/contracts';
import { connectNats } from '../connection.js';
import { ConversationLog } from '../conversation-log.js';
import { EventLog } from '../event-log.js';
import { EventPublisher } from '../publisher.js';
import { provisionStreams } from '../streams.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The conversations' log (KITE_CONV, with `kite.out`), the configuration's (KITE_CONFIG), and a publisher. */
export const CONVERSATION_LOG = Symbol('CONVERSATION_LOG');
export const CONFIGURATION_LOG = Symbol('CONFIGURATION_LOG');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

export interface JetStreamModuleOptions {
  url: string;
  /** The service name: the connection's name. */
  service: string;
}

/** Creates the streams (idempotent) before anything consumes, and knows whether the connection is up. */
@Injectable()
export class NatsStatus implements OnModuleInit {
  private readonly logger = new Logger('NATS');
  /** False from a lost connection to NATS until the client has connected again. */
  private up = true;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  async onModuleInit(): Promise<void> {
    void this.watch();
    await provisionStreams(this.nc);
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting' || status.type === 'staleConnection') {
        if (this.up) this.logger.warn(`NATS connection lost (${status.type}): not ready until it is back`);
        this.up = false;
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.logger.log('NATS connection back');
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
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.url, options.service) },
        { provide: CONVERSATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => ConversationLog.open(nc) },
        { provide: CONFIGURATION_LOG, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => EventLog.open(nc, STREAMS.config.name) },
        { provide: EVENT_PUBLISHER, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new EventPublisher(nc) },
        NatsStatus,
      ],
      exports: [NATS_CONNECTION, NatsStatus, CONVERSATION_LOG, CONFIGURATION_LOG, EVENT_PUBLISHER],
    };
  }
}
