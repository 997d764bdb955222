import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, subjects, type ChatMessageRead, type ChatMessageSent, type ConversationRequested, type MemberJoined, type MemberRemoved } from '@kite/contracts';
import { conversationIdFor, decideConversationRequest, normaliseE164 } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, deadLetter, EVENT_PUBLISHER, JetStreamHandler, type Delivery, type EventLog, type EventPublisher, type LogAppend, type Settlement } from '@kite/messaging';
import { inTransaction, type DataSource } from '@kite/persistence';
import { ConfigCache, DATA_SOURCE } from '@kite/service-kit';
import { loadConversationLinks, lockConversationLinks } from '../conversations/conversation-links.js';
import { findConversation } from '../conversations/conversation-store.js';

const CHAT_EVENTS = ['MemberRemoved', 'MemberJoined', 'ChatMessageSent', 'ChatMessageRead', 'ConversationRequested'] as const;
type ChatFact = MemberRemoved | MemberJoined | ChatMessageSent | ChatMessageRead;

/**
 * The chat platform's facts about a conversation (members removed or joined, agent and bot
 * messages, reads) join the conversation's log, so that routing, actions and outbound see them in
 * order with its messages (R7, R8, A3, O1). An event for a conversation this tenant does not have
 * is set aside. An agent's "create conversation" (L5) joins or creates one.
 */
@Injectable()
export class ChatEventsConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'chat', filterSubject: 'kite.in.*.chat.>', orderingKey: (subject) => subject.split('.')[2] ?? subject, batch: 500 })
  async onChatEvents(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    const settlements: (Settlement | void)[] = [];
    let facts: { index: number; event: ChatFact }[] = [];
    for (const [index, delivery] of deliveries.entries()) {
      const decoded = decodeEvent(delivery.subject, delivery.data, CHAT_EVENTS);
      if (!decoded.ok) {
        settlements[index] = deadLetter(decoded.reason, decoded.tenant);
      } else if (decoded.event.type === 'ConversationRequested') {
        // Facts before it join their logs first; those after it may be about the conversation it creates.
        await this.appendFacts(facts, settlements);
        facts = [];
        settlements[index] = await this.onConversationRequested(decoded.event);
      } else {
        facts.push({ index, event: decoded.event as ChatFact });
      }
    }
    await this.appendFacts(facts, settlements);
    return deliveries.map((_, i) => settlements[i]);
  }

  private async appendFacts(facts: { index: number; event: ChatFact }[], settlements: (Settlement | void)[]): Promise<void> {
    if (facts.length === 0) return;
    const known = await loadConversationLinks(this.ds, facts.map((f) => f.event.data.conversationId));
    const appended: LogAppend[] = [];
    await Promise.all(
      facts.map(async ({ index, event }) => {
        const { conversationId } = event.data;
        const subject = subjects.conversation(event.tenant, conversationId);
        // A conversation whose creation is appended and not yet committed is in its log already.
        if (known.get(conversationId)?.tenant === event.tenant || (await this.log.hasEntries(subject))) appended[index] = { subject, events: [event] };
        else settlements[index] = deadLetter(`conversation ${conversationId} is not a conversation of tenant ${event.tenant}`, event.tenant);
      }),
    );
    await appendAll(this.log, appended.filter(Boolean));
  }

  private async onConversationRequested(requested: ConversationRequested): Promise<Settlement | void> {
    const contact = normaliseE164(requested.data.contact);
    if (!contact) return deadLetter(`data.contact: ${JSON.stringify(requested.data.contact)} cannot be read as E.164`, requested.tenant);
    const request = { ...requested, data: { ...requested.data, contact } };
    const { tenant, data } = request;
    await inTransaction(this.ds, async (tx) => {
      const conversationId = conversationIdFor(tenant, contact, data.serviceId);
      const { links } = await lockConversationLinks(tx, [conversationId]);
      const known = links.get(conversationId);
      // Its members as the read model has them: one the projection has not reached yet joins again, which changes nothing.
      const existing = known && { members: (await findConversation(tx, conversationId))?.members ?? [] };
      const context = await (await this.configCache.lookups(tx)).outboundContext(tenant, data.serviceId);
      const events = decideConversationRequest(request, conversationId, existing, context);
      const [first] = events;
      if (!first) return;
      if (first.type === 'ConversationRequestRejected') {
        await this.publisher.publish(subjects.outbound(tenant, 'ConversationRequestRejected'), first);
        return;
      }
      await appendAll(this.log, [links.decided(tenant, conversationId, events)]);
      await links.save(tx);
    });
  }
}
