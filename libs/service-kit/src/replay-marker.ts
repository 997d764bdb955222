import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { STREAMS } from '@kite/contracts';
import { NATS_CONNECTION, streamLastSequence, type NatsConnection } from '@kite/messaging';
import { setReplayMark, type DataSource } from '@kite/persistence';
import { DATA_SOURCE } from './database.module.js';
import { SERVICE_CONFIG, type ServiceConfig } from './service-config.js';

/**
 * On a rebuild, notes how far the conversation log reaches now: entries up to there were decided
 * on before, so the rebuilt projections only project them and decide nothing again.
 */
@Injectable()
export class ReplayMarker implements OnModuleInit {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.rebuild) return;
    await setReplayMark(this.ds.manager, STREAMS.conversations.name, await streamLastSequence(this.nc, STREAMS.conversations.name));
  }
}
