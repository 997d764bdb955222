import { Inject, Injectable } from '@nestjs/common';
import { isOutboundType, STREAMS, subjects, type AnyEnvelope, type BotMessageRequested, type ChatMessageSent, type ContactMessageAppended } from '@kite/contracts';
import { decideOutbound } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, EVENT_PUBLISHER, groupBy, JetStreamHandler, type Appended, type Delivery, type EventLog, type EventPublisher, type LogAppend, type Settlement } from '@kite/messaging';
import type { DataSource, Read, Transaction } from '@kite/persistence';
import { ConfigCache, DATA_SOURCE, handleLogDeliveries, ownAppendsInChain, type ChainedProjection, type ChainRun } from '@kite/service-kit';
import { markHandled, saveConversationLinks, type ConversationLink } from './conversation-links.js';
import { addTimelineItems, conversationViews, recordOutbound, routedMessages, saveConversationViews } from './conversation-store.js';
import { forOutbound, projectEvent, type ConversationView, type OutboundRecord, type TimelineItem } from './conversation-view.js';

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
 * route (O1), once per message id (O2), appended to the same log and, when it follows the entries
 * applied directly, applied and relayed at once. A batch is folded in memory and each table
 * written once.
 */
@Injectable()
export class ConversationLogConsumer implements ChainedProjection<Map<string, ConversationView>> {
  readonly name = 'linking-conversations';

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>', batch: 500 })
  async onEntries(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    return handleLogDeliveries(this.ds, this.log, this, deliveries);
  }

  stateOf(conversationIds: string[]): Read<Map<string, ConversationView>> {
    return conversationViews(conversationIds);
  }

  async apply(tx: Transaction, runs: ChainRun[], views: Map<string, ConversationView>): Promise<Appended[]> {
    const config = await this.configCache.lookups(tx);
    // Only live entries decide routes: a replay asks nothing (a round trip per batch saved).
    const live = runs.flatMap((run) => run.entries.flatMap(({ entry, live }) => (live ? entry.events : [])));
    const messages = live.flatMap((e) => [outgoing(e)].flatMap((m) => (m ? [{ tenant: e.tenant, messageId: m.messageId }] : [])));
    const routed = await routedMessages(tx, messages);
    const changed: ConversationView[] = [];
    const items: TimelineItem[] = [];
    const outbound: OutboundRecord[] = [];
    const relays: Promise<unknown>[] = [];
    const decisions: LogAppend[] = [];
    const replayed = { links: [] as ConversationLink[], messages: [] as { tenant: string; messageId: string }[] };
    for (const { subject, conversationId, entries } of runs) {
      let view = views.get(conversationId);
      for (const { entry, live } of entries) {
        for (const event of entry.events) {
          const projected = projectEvent(view, event);
          view = projected.view;
          if (projected.item) items.push(projected.item);
          if (projected.outbound) {
            outbound.push(projected.outbound);
            routed.add(`${event.tenant} ${projected.outbound.messageId}`);
          }
          if (!live) {
            this.replayDeciderState(event, view, replayed);
            continue;
          }
          if (isOutboundType(event.type)) relays.push(this.publisher.publish(subjects.outbound(event.tenant, event.type), event));
          const message = outgoing(event);
          if (!message || routed.has(`${event.tenant} ${message.messageId}`)) continue; // O2: routed once per message id.
          if (!view) throw new Error(`conversation of ${event.id} is not in the read model`);
          const decision = decideOutbound(event.tenant, { ...message, cause: event }, forOutbound(view), await config.outboundContext(event.tenant, view.serviceId));
          routed.add(`${event.tenant} ${message.messageId}`);
          outbound.push({ tenant: event.tenant, messageId: message.messageId, conversationId, eventId: decision.id });
          decisions.push({ subject, events: [decision] });
        }
      }
      if (view && view !== views.get(conversationId)) changed.push(view);
    }
    await saveConversationViews(tx, changed);
    await addTimelineItems(tx, items);
    await recordOutbound(tx, outbound);
    await saveConversationLinks(tx, replayed.links);
    await markHandled(tx, replayed.messages);
    // Relayed and appended before the transaction commits: a crash before then replays the entries.
    const [appended] = await Promise.all([appendAll(this.log, decisions), ...relays]);
    // A decision that continues its conversation's chain is applied here (projecting it records
    // its outbound decision, written above): relayed now, it costs no transaction when it comes back.
    const lastApplied = new Map(runs.map((r) => [r.subject, r.entries.at(-1)!.entry.seq]));
    const applied = [...groupBy(appended, (a) => a.subject)].flatMap(([subject, list]) => ownAppendsInChain(lastApplied.get(subject)!, list));
    await Promise.all(applied.flatMap((a) => a.events.flatMap((e) => (isOutboundType(e.type) ? [this.publisher.publish(subjects.outbound(e.tenant, e.type), e)] : []))));
    return applied;
  }

  /** On a rebuild, what the deciders must know is rebuilt too; live, they write it themselves. */
  private replayDeciderState(event: AnyEnvelope, view: ConversationView | undefined, replayed: { links: ConversationLink[]; messages: { tenant: string; messageId: string }[] }): void {
    if ((event.type === 'ConversationCreated' || event.type === 'ConversationLinked') && view) {
      replayed.links.push({ conversationId: view.conversationId, tenant: view.tenant, number: view.number, links: view.links });
    }
    if (event.type === 'ContactMessageAppended') replayed.messages.push({ tenant: event.tenant, messageId: (event as ContactMessageAppended).data.messageId });
  }
}
