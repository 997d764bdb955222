import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type ChatMessageRead, type ChatMessageSent, type MemberJoined, type MemberRemoved } from '@kite/contracts';
import { CONVERSATION_LOG, type ConversationLog, type Decision, type Delivery } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { EventProcessor, NotYet, type Load, type Processor, type Received } from '@kite/service-kit';
import { conversationLinks, type ConversationLink } from '../conversations/conversation-links.js';
import { isConversationRequest, type OtherInbound } from './contact-events.js';

const CHAT_FACTS = ['MemberRemoved', 'MemberJoined', 'ChatMessageSent', 'ChatMessageRead'] as const;
type ChatFact = MemberRemoved | MemberJoined | ChatMessageSent | ChatMessageRead;
/** The conversations linking knows, by id. */
type Known = Map<string, ConversationLink>;

/**
 * The chat platform's facts about a conversation (members removed or joined, agent and bot
 * messages, reads) join the conversation's log, so that routing, actions and outbound see them in
 * order with its messages (R7, R8, A3, O1). An event for a conversation this tenant does not have
 * is set aside. An agent's "create conversation" (L5) is the contacts processor's.
 */
@Injectable()
@EventProcessor()
export class ChatEventsProcessor implements Processor<ChatFact | OtherInbound, Known> {
  readonly name = 'chat';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.chat.>';
  readonly replayed = false;
  /** Agents' messages and reads share a transaction with those that come within 30 ms. */
  readonly linger = 30;

  constructor(@Inject(CONVERSATION_LOG) private readonly log: ConversationLog) {}

  /** The conversation a fact is about: a conversation's facts keep their order. */
  keyOf(event: ChatFact | OtherInbound): string {
    return event.type === 'other' ? event.subject : event.data.conversationId;
  }

  decode(delivery: Delivery): ChatFact | OtherInbound {
    return isConversationRequest(delivery.subject) ? { type: 'other', subject: delivery.subject } : readEvent(delivery.subject, delivery.data, CHAT_FACTS);
  }

  concerns(event: ChatFact | OtherInbound): boolean {
    return event.type !== 'other';
  }

  /** The links of the conversations the facts are about, read with the checkpoints locked. */
  load(received: readonly Received<ChatFact | OtherInbound>[]): Load<Known> {
    const read = conversationLinks(received.flatMap(({ item }) => (item.type === 'other' ? [] : [item.data.conversationId])));
    return { statements: [read.statement], decode: ([rows]) => read.decode(rows!) };
  }

  /**
   * The facts, to their conversations' logs. A conversation linking does not know may be one whose
   * creation is on `kite.out` and not yet committed here (a chat platform answers fast): the fact is
   * tried again, and set aside only once it has failed its attempts.
   */
  async handle(_tx: Transaction, received: readonly Received<ChatFact | OtherInbound>[], known: Known): Promise<void> {
    const decisions: Decision[] = [];
    for (const { item: event } of received) {
      if (event.type === 'other') continue;
      const { conversationId } = event.data;
      const subject = subjects.conversation(event.tenant, conversationId);
      if (known.get(conversationId)?.tenant !== event.tenant && !(await this.log.hasEntries(subject))) throw new NotYet(`conversation ${conversationId} is not a conversation of tenant ${event.tenant}`);
      decisions.push({ subject, events: [event] });
    }
    await this.log.record(decisions);
  }
}
