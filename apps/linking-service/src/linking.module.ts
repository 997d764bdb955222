import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigReadModelConsumer, httpApiProviders, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ConversationLogConsumer } from './conversations/conversation-log.consumer.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { DetachConsumer } from './conversations/detach.consumer.js';
import { CallsConsumer } from './inbound/calls.consumer.js';
import { ChatEventsConsumer } from './inbound/chat-events.consumer.js';
import { InboundMessagesConsumer } from './inbound/inbound-messages.consumer.js';
import { LINKING_MIGRATIONS, LINKING_SCHEMA } from './migrations.js';

@Module({})
export class LinkingServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: LinkingServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: LINKING_SCHEMA, migrations: LINKING_MIGRATIONS })],
      controllers: [ConversationsController],
      providers: [...httpApiProviders(config), ConfigReadModelConsumer, InboundMessagesConsumer, CallsConsumer, ChatEventsConsumer, ConversationLogConsumer, DetachConsumer],
    };
  }
}
