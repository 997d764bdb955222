import { Inject, Injectable } from '@nestjs/common';
import { isOutboundType, STREAMS, subjects, type AnyEnvelope, type BotMessageRequested, type ChatMessageSent } from '@kite/contracts';
import { decideOutbound } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, EVENT_PUBLISHER, JetStreamHandler, type Delivery, type EventLog, type EventPublisher, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager } from '@kite/persistence';
import { ConfigLookups, DATA_SOURCE, handleLogDeliveries, type ChainedProjection, type ChainRun } from '@kite/service-kit';
import { findConversation, forOutbound, projectConversationEvent } from './conversation-store.js';

/** The agent's or bot's message that must leave over SMS or WhatsApp, with its idempotency key. */
function outgoing(event: AnyEnvelope): { messageId: string; text: string } | undefined {
  if (event.type === 'ChatMessageSent') return { messageId: (event as ChatMessageSent).data.messageId, text: (event as ChatMessageSent).data.text };
  if (event.type === 'BotMessageRequested') return { messageId: event.id, text: (event as BotMessageRequested).data.text };
  return undefined;
}

/**
 * The conversation logs, in order per conversation: projected into linking's read model; live,
 * public events are relayed to `kite.out` (the event id is the `Nats-Msg-Id`, and the chain position
 * makes a relayed entry never relayed again), and each agent or bot message gets its outbound
 * route (O1), once per message id (O2), appended to the same log.
 */
@Injectable()
export class ConversationLogConsumer implements ChainedProjection {
  readonly name = 'linking-conversations';

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>', batch: 500 })
  async onEntries(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    return handleLogDeliveries(this.ds, this.log, this, deliveries);
  }

  async apply(tx: EntityManager, runs: ChainRun[]): Promise<void> {
    const config = new ConfigLookups(tx);
    const relays: Promise<unknown>[] = [];
    const decisions: { subject: string; events: AnyEnvelope[] }[] = [];
    for (const run of runs) {
      for (const { entry, live } of run.entries) {
        for (const event of entry.events) {
          await projectConversationEvent(tx, event);
          if (!live) continue;
          if (isOutboundType(event.type)) relays.push(this.publisher.publish(subjects.outbound(event.tenant, event.type), event));
          const message = outgoing(event);
          const decision = message && (await this.routeOutbound(tx, config, event, message));
          if (decision) decisions.push({ subject: run.subject, events: [decision] });
        }
      }
    }
    // Relayed and appended before the transaction commits: a crash before then replays the entries.
    await Promise.all([...relays, appendAll(this.log, decisions)]);
  }

  private async routeOutbound(tx: EntityManager, config: ConfigLookups, cause: AnyEnvelope, message: { messageId: string; text: string }): Promise<AnyEnvelope | undefined> {
    const claimed = (await tx.query(`INSERT INTO outbound_messages (tenant, message_id, conversation_id, event_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING message_id`, [
      cause.tenant,
      message.messageId,
      (cause.data as { conversationId: string }).conversationId,
      cause.id,
    ])) as unknown[];
    if (claimed.length === 0) return undefined; // O2: this message id was already routed.
    const conversation = await findConversation(tx, (cause.data as { conversationId: string }).conversationId);
    if (!conversation) throw new Error(`conversation of ${cause.id} is not in the read model`);
    const context = await config.outboundContext(cause.tenant, conversation.service_id);
    return decideOutbound(cause.tenant, { ...message, cause }, forOutbound(conversation), context);
  }
}
