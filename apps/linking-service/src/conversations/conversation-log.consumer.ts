import { Inject, Injectable } from '@nestjs/common';
import { isOutboundType, STREAMS, subjects } from '@kite/contracts';
import { CONVERSATION_LOG, EVENT_PUBLISHER, JetStreamHandler, type Delivery, type EventLog, type EventPublisher, type LogEntry, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager } from '@kite/persistence';
import { DATA_SOURCE, handleLogDelivery, type ChainedProjection } from '@kite/service-kit';
import { projectConversationEvent } from './conversation-store.js';

/**
 * The conversation logs, in order per conversation: projected into linking's read model and, live,
 * relayed to the contract's `kite.out` subjects (the event id is the `Nats-Msg-Id`, and the chain
 * position makes a relayed entry never relayed again).
 */
@Injectable()
export class ConversationLogConsumer implements ChainedProjection {
  readonly name = 'linking-conversations';

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>' })
  async onEntry(delivery: Delivery): Promise<Settlement | void> {
    return handleLogDelivery(this.ds, this.log, this, delivery);
  }

  async apply(tx: EntityManager, entry: LogEntry, live: boolean): Promise<void> {
    for (const event of entry.events) {
      await projectConversationEvent(tx, event);
      if (live && isOutboundType(event.type)) await this.publisher.publish(subjects.outbound(event.tenant, event.type), event);
    }
  }
}
