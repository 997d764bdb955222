import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JetStreamModule } from '@kite/messaging';
import type { MigrationInterface } from '@kite/persistence';
import { ConfigCache } from './config-lookups.js';
import { DatabaseModule } from './database.module.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.js';
import { Processors } from './processing/processors.js';
import { SERVICE_CONFIG, type ServiceConfig } from './service-config.js';

/** What every service has: its config, NATS, its processors, its own schema, health and metrics. */
@Module({})
export class ServiceKitModule {
  static forRoot(config: ServiceConfig, database: { schema: string; migrations: (new () => MigrationInterface)[] }): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({ url: config.databaseUrl, rebuild: config.rebuild, ...database }),
        JetStreamModule.forRoot({ settings: config.nats, service: config.service }),
        DiscoveryModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: SERVICE_CONFIG, useValue: config }, ConfigCache, Processors],
      exports: [SERVICE_CONFIG, ConfigCache, Processors],
    };
  }
}
