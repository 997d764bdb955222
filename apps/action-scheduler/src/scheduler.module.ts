import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelProcessor, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ActivityProcessor } from './activity/activity.processor.js';
import { SCHEDULER_MIGRATIONS, SCHEDULER_SCHEMA } from './migrations.js';
import { TimerWheel } from './timers/timer-wheel.js';

/** The action scheduler: conditions measured from the conversation logs, durable timers, tasks (A1–A7). */
@Module({})
export class ActionSchedulerModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ActionSchedulerModule,
      imports: [ServiceKitModule.forRoot(config, { schema: SCHEDULER_SCHEMA, migrations: SCHEDULER_MIGRATIONS })],
      providers: [ConfigReadModelProcessor, ActivityProcessor, TimerWheel],
    };
  }
}
