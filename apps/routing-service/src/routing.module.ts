import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelProcessor, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ConversationRoutingProcessor } from './conversation-routing.processor.js';
import { ROUTING_MIGRATIONS, ROUTING_SCHEMA } from './migrations.js';

@Module({})
export class RoutingServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: RoutingServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: ROUTING_SCHEMA, migrations: ROUTING_MIGRATIONS })],
      providers: [ConfigReadModelProcessor, ConversationRoutingProcessor],
    };
  }
}
