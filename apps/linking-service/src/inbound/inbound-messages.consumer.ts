import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { decodeEvent, STREAMS, subjects } from '@kite/contracts';
import { conversationIdFor, decideInbound, rejectionOf, type NumberRoute } from '@kite/domain';
import { deadLetter, EventLog, EventPublisher, JetStreamHandler, NATS_CONNECTION, type Delivery, type NatsConnection, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager } from '@kite/persistence';
import { DATA_SOURCE, faultPoint, findNumber } from '@kite/service-kit';
import { isMessageLinked, loadConversation, projectConversationEvent } from '../conversations/conversation-store.js';

async function routeOf(tx: EntityManager, tenant: string, number: string): Promise<NumberRoute | undefined> {
  const found = await findNumber(tx, tenant, number);
  return found && { number: found.number, channels: found.channels, status: found.status, linkedServiceId: found.configuration?.linkedServiceId };
}

/** L2, L3: inbound SMS and WhatsApp messages become conversation entries, or rejected messages. */
@Injectable()
export class InboundMessagesConsumer implements OnModuleInit {
  private log!: EventLog;
  private readonly publisher: EventPublisher;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {
    this.publisher = new EventPublisher(nc);
  }

  async onModuleInit(): Promise<void> {
    this.log = await EventLog.open(this.nc, STREAMS.conversations.name);
  }

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'messages', filterSubject: 'kite.in.*.message.received' })
  async onMessageReceived(delivery: Delivery): Promise<Settlement | void> {
    const decoded = decodeEvent(delivery.subject, delivery.data, ['MessageReceived']);
    if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
    const message = decoded.event;
    const { tenant, data } = message;
    await this.ds.transaction(async (tx) => {
      // The provider's message id is the idempotency key for as long as the conversation lives.
      if (await isMessageLinked(tx, tenant, data.messageId)) return;
      const route = await routeOf(tx, tenant, data.to);
      if (rejectionOf(message, route) || !route?.linkedServiceId) {
        const decision = decideInbound(message, route, { status: 'none' });
        const [rejected] = decision.events;
        if (rejected.type !== 'MessageRejected') return;
        await tx.query(`INSERT INTO rejected_messages (tenant, message_id, reason, message) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [tenant, data.messageId, rejected.data.reason, JSON.stringify(message)]);
        await this.publisher.publish(subjects.outbound(tenant, 'MessageRejected'), rejected);
        return;
      }
      const conversationId = conversationIdFor(tenant, data.from, route.linkedServiceId);
      // Two first messages of one contact, on two instances, meet here: one creates, the other joins.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [conversationId]);
      const decision = decideInbound(message, route, await loadConversation(tx, conversationId));
      await this.log.append(subjects.conversation(tenant, conversationId), decision.events, undefined);
      faultPoint('linking:after-append');
      for (const event of decision.events) await projectConversationEvent(tx, event);
    });
  }
}
