import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, subjects } from '@kite/contracts';
import { decideInbound, inboundConversationOf, normalisedInbound, type NumberRoute } from '@kite/domain';
import { CONVERSATION_LOG, deadLetter, EVENT_PUBLISHER, JetStreamHandler, type Delivery, type EventLog, type EventPublisher, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager } from '@kite/persistence';
import { DATA_SOURCE, faultPoint, findNumber } from '@kite/service-kit';
import { isMessageLinked, loadConversation, projectConversationEvent } from '../conversations/conversation-store.js';

async function routeOf(tx: EntityManager, tenant: string, number: string): Promise<NumberRoute | undefined> {
  const found = await findNumber(tx, tenant, number);
  return found && { number: found.number, channels: found.channels, status: found.status, linkedServiceId: found.configuration?.linkedServiceId };
}

/** L2, L3: inbound SMS and WhatsApp messages become conversation entries, or rejected messages. */
@Injectable()
export class InboundMessagesConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'messages', filterSubject: 'kite.in.*.message.received' })
  async onMessageReceived(delivery: Delivery): Promise<Settlement | void> {
    const decoded = decodeEvent(delivery.subject, delivery.data, ['MessageReceived']);
    if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
    const message = normalisedInbound(decoded.event);
    if (!message) return deadLetter(`data.from: ${JSON.stringify(decoded.event.data.from)} is not a phone number that can be read as E.164`, decoded.event.tenant);
    const { tenant, data } = message;
    await this.ds.transaction(async (tx) => {
      // The provider's message id is the idempotency key for as long as the conversation lives.
      if (await isMessageLinked(tx, tenant, data.messageId)) return;
      const route = await routeOf(tx, tenant, data.to);
      const conversationId = inboundConversationOf(message, route);
      // Two first messages of one contact, on two instances, meet here: one creates, the other joins.
      if (conversationId) await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [conversationId]);
      const decision = decideInbound(message, route, conversationId ? await loadConversation(tx, conversationId) : { status: 'none' });
      if (decision.kind === 'rejected') {
        const [rejected] = decision.events;
        await tx.query(`INSERT INTO rejected_messages (tenant, message_id, reason, message) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [tenant, data.messageId, rejected.data.reason, JSON.stringify(message)]);
        await this.publisher.publish(subjects.outbound(tenant, 'MessageRejected'), rejected);
        return;
      }
      await this.log.append(subjects.conversation(tenant, conversationId!), decision.events, undefined);
      faultPoint('linking:after-append');
      for (const event of decision.events) await projectConversationEvent(tx, event);
    });
  }
}
