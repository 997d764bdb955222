import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type ChatMessageRead, type ChatMessageSent, type MemberJoined, type MemberRemoved } from '@kite/contracts';
import { CONVERSATION_LOG, type ConversationLog, type Decision, type Delivery } from '@kite/messaging';
import { EventProcessor, HeldState, NotYet, type HoldingProcessor, type Load, type Received } from '@kite/service-kit';
import { conversationLinks } from '../conversations/conversation-links.js';
import { isConversationRequest, type OtherInbound } from './contact-events.js';

const CHAT_FACTS = ['MemberRemoved', 'MemberJoined', 'ChatMessageSent', 'ChatMessageRead'] as const;
type ChatFact = MemberRemoved | MemberJoined | ChatMessageSent | ChatMessageRead;
type Item = ChatFact | OtherInbound;
/** The tenant of each conversation linking knows, by id. */
type Known = Map<string, string>;

/**
 * The chat platform's facts about a conversation (members removed or joined, agent and bot
 * messages, reads) join the conversation's log, so that routing, actions and outbound see them in
 * order with its messages (R7, R8, A3, O1). An event for a conversation this tenant does not have
 * is set aside. An agent's "create conversation" (L5) is the contacts processor's. It writes nothing
 * but its checkpoints: it holds the conversations it knows and commits every 100 ms.
 */
@Injectable()
@EventProcessor()
export class ChatEventsProcessor implements HoldingProcessor<Item, Known> {
  readonly name = 'chat';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.chat.>';
  readonly replayed = false;
  /** Agents' messages and reads are handled with those that come within 30 ms. */
  readonly linger = 30;
  readonly commitEvery = 100;
  /** The tenant of each conversation known to exist (a conversation is never removed). */
  readonly held = new HeldState<string>();

  constructor(@Inject(CONVERSATION_LOG) private readonly log: ConversationLog) {}

  /** The conversation a fact is about: a conversation's facts keep their order. */
  keyOf(event: Item): string {
    return event.type === 'other' ? event.subject : event.data.conversationId;
  }

  decode(delivery: Delivery): Item {
    return isConversationRequest(delivery.subject) ? { type: 'other', subject: delivery.subject } : readEvent(delivery.subject, delivery.data, CHAT_FACTS);
  }

  concerns(event: Item): boolean {
    return event.type !== 'other';
  }

  /** The conversations the facts are about: those not held are read. */
  load(received: readonly Received<Item>[]): Load<Known> {
    const known: Known = new Map();
    const missing = new Set<string>();
    for (const { item, partition } of received) {
      if (item.type === 'other') continue;
      const tenant = this.held.get(partition, item.data.conversationId);
      if (tenant) known.set(item.data.conversationId, tenant);
      else missing.add(item.data.conversationId);
    }
    if (missing.size === 0) return { statements: [], decode: () => known };
    const read = conversationLinks([...missing]);
    return { statements: [read.statement], decode: ([rows]) => new Map([...known, ...[...read.decode(rows!)].map(([id, link]) => [id, link.tenant] as const)]) };
  }

  /**
   * The facts, to their conversations' logs. A conversation linking does not know may be one whose
   * creation is on `kite.out` and not yet committed here (a chat platform answers fast): the fact is
   * tried again, and set aside only once it has failed its attempts.
   */
  async handle(_writes: unknown, received: readonly Received<Item>[], known: Known): Promise<void> {
    const decisions: Decision[] = [];
    const found: { partition: number; conversationId: string; tenant: string }[] = [];
    for (const { item: event, partition } of received) {
      if (event.type === 'other') continue;
      const { conversationId } = event.data;
      const subject = subjects.conversation(event.tenant, conversationId);
      if (known.get(conversationId) !== event.tenant && !(await this.log.hasEntries(subject))) throw new NotYet(`conversation ${conversationId} is not a conversation of tenant ${event.tenant}`);
      decisions.push({ subject, events: [event] });
      found.push({ partition, conversationId, tenant: event.tenant });
    }
    await this.log.record(decisions);
    for (const { partition, conversationId, tenant } of found) this.held.set(partition, conversationId, tenant);
  }
}
