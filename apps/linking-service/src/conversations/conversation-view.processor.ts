import { Inject, Injectable } from '@nestjs/common';
import { type ConversationEvent, conversationOfSubject, type TypedEntry } from '@kite/contracts';
import { messageToSend, outbound, type OutboundContext } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, type ConfigLookups, ConversationLogProcessor, conversationsOf, EventProcessor, type Load, type Received } from '@kite/service-kit';
import { markHandled, saveConversationLinks, type ConversationLink, type Handled } from './conversation-links.js';
import { addTimelineItems, conversationViews, recordOutbound, routedMessages, saveConversationViews } from './conversation-store.js';
import { forOutbound, projectEvent, type ConversationView, type OutboundRecord, type TimelineItem } from './conversation-view.js';

type Entry = TypedEntry<ConversationEvent>;
type Views = Map<string, ConversationView>;

/**
 * The conversation logs, in order per conversation, projected into linking's read model (the
 * conversations and their timelines); each agent or bot message gets its outbound route (O1),
 * once per message id (O2), recorded on `kite.out` and in the same log. A batch is folded in memory
 * and each table written once.
 */
@Injectable()
@EventProcessor()
export class ConversationViewProcessor extends ConversationLogProcessor<Views> {
  readonly name = 'conversations';
  /** A projection, and the route of agents' messages (O1): a wait no one notices on a message to a carrier gathers about eighty entries per transaction at 200/s. */
  readonly burst = 250;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
  ) {
    super();
  }

  load(entries: readonly Received<Entry>[]): Load<Views> {
    const read = conversationViews(conversationsOf(entries));
    return { statements: [read.statement], decode: ([rows]) => read.decode(rows!) };
  }

  async handle(tx: Transaction, entries: readonly Received<Entry>[], views: Views): Promise<void> {
    const config = await this.configCache.lookups(tx);
    // Only live entries decide routes: a replay asks nothing.
    const asked = entries.flatMap(({ item, live }) => (live ? item.events.flatMap((e) => [messageToSend(e)].flatMap((m) => (m ? [{ tenant: e.tenant, messageId: m.messageId }] : []))) : []));
    const routed = await routedMessages(tx, asked);
    const changed = new Map<string, ConversationView>();
    const items: TimelineItem[] = [];
    const records: OutboundRecord[] = [];
    const decisions: Decision[] = [];
    const replayed = { links: [] as ConversationLink[], handled: [] as Handled[] };
    for (const { item, subject, live, rebuilding } of entries) {
      const conversationId = conversationOfSubject(subject);
      let view = views.get(conversationId);
      for (const event of item.events) {
        const projected = projectEvent(view, event);
        view = projected.view;
        if (projected.item) items.push(projected.item);
        if (projected.outbound) {
          records.push(projected.outbound);
          routed.add(`${event.tenant} ${projected.outbound.messageId}`);
        }
        // Also what the inputs decided after the view last stood: their writes were dropped with the schema.
        if (!live || rebuilding) replayDeciderState(event, view, replayed);
        if (!live) continue;
        const message = messageToSend(event);
        if (!message) continue;
        const key = `${event.tenant} ${message.messageId}`;
        // The decider's state, from the read model: the conversation, and whether this message was routed.
        const state = { conversation: view && forOutbound(view), routed: new Set(routed.has(key) ? [message.messageId] : []) };
        const context = view ? await outboundContextOf(config, event.tenant, view) : { numbers: [] };
        for (const decision of outbound.decide({ tenant: event.tenant, message, context, now: Date.now() }, state)) {
          routed.add(key);
          records.push({ tenant: event.tenant, messageId: message.messageId, conversationId, eventId: decision.id });
          decisions.push({ subject, events: [decision] });
        }
      }
      if (view && view !== views.get(conversationId)) {
        views.set(conversationId, view);
        changed.set(conversationId, view);
      }
    }
    await this.log.record(decisions);
    await saveConversationViews(tx, [...changed.values()]);
    await addTimelineItems(tx, items);
    await recordOutbound(tx, records);
    await saveConversationLinks(tx, replayed.links);
    await markHandled(tx, replayed.handled);
  }
}

/** What O1 and P3 read: the tenant's numbers, the service's dialplan, the contact's consent and the tenant's scope. */
async function outboundContextOf(config: ConfigLookups, tenant: string, view: ConversationView): Promise<OutboundContext> {
  const [numbers, settings, changes] = await Promise.all([config.outboundContext(tenant, view.serviceId), config.consentSettings(tenant), config.consentChanges(tenant, view.contact)]);
  return { ...numbers, consent: { scope: settings.scope, changes } };
}

/** On a rebuild, what the deciders must know is rebuilt too; otherwise they write it themselves. */
function replayDeciderState(event: ConversationEvent, view: ConversationView | undefined, replayed: { links: ConversationLink[]; handled: Handled[] }): void {
  if ((event.type === 'ConversationCreated' || event.type === 'ConversationLinked') && view) {
    replayed.links.push({ conversationId: view.conversationId, tenant: view.tenant, serviceId: view.serviceId, number: view.number, links: view.links });
  }
  if (event.type === 'ContactMessageAppended') replayed.handled.push({ kind: 'message', tenant: event.tenant, id: event.data.messageId });
  if (event.type === 'CallAppended') replayed.handled.push({ kind: 'call', tenant: event.tenant, id: event.data.callId });
}
