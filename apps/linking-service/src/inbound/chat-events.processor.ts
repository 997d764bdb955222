import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type ChatMessageRead, type ChatMessageSent, type ConversationRequested, type MemberJoined, type MemberRemoved } from '@kite/contracts';
import { conversationIdFor, decideConversationRequest, detachableNumbersOf, detachingAgrees, normaliseE164, waitingForDetaching, type OutboundContext } from '@kite/domain';
import { CONVERSATION_LOG, EVENT_PUBLISHER, type ConversationLog, type Decision, type Delivery, type EventPublisher } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, EventProcessor, NotYet, type Load, type Processor, type Received } from '@kite/service-kit';
import { conversationLinks, lockConversationLinks, type ConversationLink } from '../conversations/conversation-links.js';
import { findConversation } from '../conversations/conversation-store.js';
import { readLockedNumberLinks } from '../conversations/number-links.js';

const CHAT_EVENTS = ['MemberRemoved', 'MemberJoined', 'ChatMessageSent', 'ChatMessageRead', 'ConversationRequested'] as const;
type ChatFact = MemberRemoved | MemberJoined | ChatMessageSent | ChatMessageRead;
type ChatEvent = ChatFact | ConversationRequested;
/** The conversations linking knows, by id. */
type Known = Map<string, ConversationLink>;

/** A chat event as linking reads it (a requested conversation's contact in E.164); throws with the reason when it cannot be read. */
function readChatEvent(delivery: Delivery): ChatEvent {
  const event = readEvent(delivery.subject, delivery.data, CHAT_EVENTS);
  if (event.type !== 'ConversationRequested') return event;
  const contact = normaliseE164(event.data.contact);
  if (!contact) throw new Error(`data.contact: ${JSON.stringify(event.data.contact)} cannot be read as E.164`);
  return { ...event, data: { ...event.data, contact } };
}

/**
 * The chat platform's facts about a conversation (members removed or joined, agent and bot
 * messages, reads) join the conversation's log, so that routing, actions and outbound see them in
 * order with its messages (R7, R8, A3, O1). An event for a conversation this tenant does not have
 * is set aside. An agent's "create conversation" (L5) joins or creates one.
 */
@Injectable()
@EventProcessor()
export class ChatEventsProcessor implements Processor<ChatEvent, Known> {
  readonly name = 'chat';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.chat.>';
  readonly replayed = false;
  /** Agents' messages and reads share a transaction with those that come within 30 ms. */
  readonly linger = 30;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  /** The conversation an event is about (for a request, the one it creates or joins): facts about a conversation follow its creation. */
  keyOf(event: ChatEvent): string {
    return event.type === 'ConversationRequested' ? conversationIdFor(event.tenant, event.data.contact, event.data.serviceId) : event.data.conversationId;
  }

  decode(delivery: Delivery): ChatEvent {
    return readChatEvent(delivery);
  }

  /** The links of the conversations the facts are about, read with the checkpoints locked. */
  load(received: readonly Received<ChatEvent>[]): Load<Known> {
    const read = conversationLinks(received.flatMap(({ item }) => (item.type === 'ConversationRequested' ? [] : [item.data.conversationId])));
    return { statements: [read.statement], decode: ([rows]) => read.decode(rows!) };
  }

  async handle(tx: Transaction, received: readonly Received<ChatEvent>[], known: Known): Promise<void> {
    const contexts = await this.requestContexts(tx, received.flatMap(({ item }) => (item.type === 'ConversationRequested' ? [item] : [])));
    let facts: ChatFact[] = [];
    for (const { item } of received) {
      if (item.type !== 'ConversationRequested') {
        facts.push(item);
        continue;
      }
      // Facts before it join their logs first; those after it may be about the conversation it creates.
      await this.appendFacts(known, facts);
      facts = [];
      await this.onConversationRequested(tx, item, contexts.get(item.id)!);
    }
    await this.appendFacts(known, facts);
  }

  /**
   * What O1 reads for each request (L5), the numbers of the requested services locked first, in one
   * statement, and read no older than their detaching (L6, `number-links.ts`): a copy of the
   * configuration not refreshed yet waits, before anything of the batch is recorded.
   */
  private async requestContexts(tx: Transaction, requests: readonly ConversationRequested[]): Promise<Map<string, OutboundContext & { serviceKnown: boolean }>> {
    if (requests.length === 0) return new Map();
    const lookups = await this.configCache.lookups(tx);
    const contexts = new Map<string, OutboundContext & { serviceKnown: boolean }>();
    for (const request of requests) contexts.set(request.id, await lookups.outboundContext(request.tenant, request.data.serviceId));
    const numbers = requests.flatMap(({ id, tenant, data }) => detachableNumbersOf(data.serviceId, contexts.get(id)!.numbers).map(({ number, version }) => ({ tenant, number, version })));
    const detachedThrough = await readLockedNumberLinks(tx, numbers);
    const behind = numbers.find((n) => !detachingAgrees(n.version, detachedThrough(n)));
    if (behind) throw new NotYet(waitingForDetaching(behind.number));
    return contexts;
  }

  /**
   * The facts, to their conversations' logs. A conversation linking does not know may be one whose
   * creation is on `kite.out` and not yet committed here (a chat platform answers fast): the fact is
   * tried again, and set aside only once it has failed its attempts.
   */
  private async appendFacts(known: Known, facts: ChatFact[]): Promise<void> {
    if (facts.length === 0) return;
    const decisions: Decision[] = [];
    for (const event of facts) {
      const { conversationId } = event.data;
      const subject = subjects.conversation(event.tenant, conversationId);
      if (known.get(conversationId)?.tenant !== event.tenant && !(await this.log.hasEntries(subject))) throw new NotYet(`conversation ${conversationId} is not a conversation of tenant ${event.tenant}`);
      decisions.push({ subject, events: [event] });
    }
    await this.log.record(decisions);
  }

  private async onConversationRequested(tx: Transaction, request: ConversationRequested, context: OutboundContext & { serviceKnown: boolean }): Promise<void> {
    const { tenant, data } = request;
    const conversationId = conversationIdFor(tenant, data.contact, data.serviceId);
    const links = await lockConversationLinks(tx, [conversationId]);
    const known = links.get(conversationId);
    // Its members as the read model has them: one the projection has not reached yet joins again, which changes nothing.
    const existing = known && { members: (await findConversation(tx, conversationId))?.members ?? [] };
    const events = decideConversationRequest(request, conversationId, existing, context);
    const [first] = events;
    if (!first) return;
    if (first.type === 'ConversationRequestRejected') {
      await this.publisher.publish(subjects.outbound(tenant, 'ConversationRequestRejected'), first);
      return;
    }
    await this.log.record([links.decided(tenant, conversationId, events)]);
    await links.save(tx);
  }
}
