import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelConsumer, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ConversationRoutingConsumer } from './conversation-routing.consumer.js';
import { ROUTING_MIGRATIONS, ROUTING_SCHEMA } from './migrations.js';

@Module({})
export class RoutingServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: RoutingServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: ROUTING_SCHEMA, migrations: ROUTING_MIGRATIONS })],
      providers: [ConfigReadModelConsumer, ConversationRoutingConsumer],
    };
  }
}
