import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, subjects } from '@kite/contracts';
import { CONVERSATION_LOG, deadLetter, JetStreamHandler, type Delivery, type EventLog, type Settlement } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE } from '@kite/service-kit';
import { conversationTenant } from '../conversations/conversation-store.js';

const SEQUENCED = ['MemberRemoved', 'MemberJoined', 'ChatMessageSent', 'ChatMessageRead'] as const;

/**
 * The chat platform's facts about a conversation (members removed or joined, agent and bot
 * messages, reads) join the conversation's log, so that routing and actions see them in order with
 * its messages (R7, R8, A3). An event for a conversation this tenant does not have is set aside.
 */
@Injectable()
export class ChatEventsConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'chat', filterSubject: 'kite.in.*.chat.>', orderingKey: (subject) => subject.split('.')[2] ?? subject })
  async onChatEvent(delivery: Delivery): Promise<Settlement | void> {
    const decoded = decodeEvent(delivery.subject, delivery.data, SEQUENCED);
    if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
    const event = decoded.event;
    const { conversationId } = event.data;
    if ((await conversationTenant(this.ds, conversationId)) !== event.tenant) {
      return deadLetter(`conversation ${conversationId} is not a conversation of tenant ${event.tenant}`, event.tenant);
    }
    await this.log.append(subjects.conversation(event.tenant, conversationId), [event], undefined);
  }
}
