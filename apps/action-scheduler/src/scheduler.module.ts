import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelConsumer, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { SCHEDULER_MIGRATIONS, SCHEDULER_SCHEMA } from './migrations.js';

/**
 * The action scheduler: for now it keeps the configuration (whose actions it will arm); timers and
 * tasks (A1–A7) come with their own issue.
 */
@Module({})
export class ActionSchedulerModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ActionSchedulerModule,
      imports: [ServiceKitModule.forRoot(config, { schema: SCHEDULER_SCHEMA, migrations: SCHEDULER_MIGRATIONS })],
      providers: [ConfigReadModelConsumer],
    };
  }
}
