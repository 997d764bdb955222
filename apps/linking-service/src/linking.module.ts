import { Module, type DynamicModule } from '@nestjs/common';
import { httpApiProviders, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ConversationViewProcessor } from './conversations/conversation-view.processor.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { LinkingConfigurationProcessor } from './conversations/linking-configuration.processor.js';
import { ChatEventsProcessor } from './inbound/chat-events.processor.js';
import { ContactsProcessor } from './inbound/contacts.processor.js';
import { ProviderOptOutsProcessor } from './inbound/provider-opt-outs.processor.js';
import { LINKING_MIGRATIONS, LINKING_SCHEMA } from './migrations.js';

@Module({})
export class LinkingServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: LinkingServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: LINKING_SCHEMA, migrations: LINKING_MIGRATIONS })],
      controllers: [ConversationsController],
      providers: [...httpApiProviders(config), LinkingConfigurationProcessor, ContactsProcessor, ChatEventsProcessor, ConversationViewProcessor, ProviderOptOutsProcessor],
    };
  }
}
