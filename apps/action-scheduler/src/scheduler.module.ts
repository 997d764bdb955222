import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelConsumer, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ActivityConsumer } from './activity/activity.consumer.js';
import { SCHEDULER_MIGRATIONS, SCHEDULER_SCHEMA } from './migrations.js';
import { TimerWheel } from './timers/timer-wheel.js';

/** The action scheduler: conditions measured from the conversation logs, durable timers, tasks (A1–A7). */
@Module({})
export class ActionSchedulerModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ActionSchedulerModule,
      imports: [ServiceKitModule.forRoot(config, { schema: SCHEDULER_SCHEMA, migrations: SCHEDULER_MIGRATIONS })],
      providers: [ConfigReadModelConsumer, ActivityConsumer, TimerWheel],
    };
  }
}
