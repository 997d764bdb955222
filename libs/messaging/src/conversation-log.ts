import { CONVERSATION_EVENT_TYPES, isOutboundType, STREAMS, subjects, type ConversationEvent } from '@kite/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { EventLog, type Decision } from './event-log.js';
import { EventPublisher } from './publisher.js';

/**
 * Where every decision about a conversation goes: its public events to `kite.out` (the event id is
 * the `Nats-Msg-Id`), then the whole decision to the conversation's log (`KITE_CONV`), which the
 * other services read. In that order, so nothing that follows from a decision (read from the log)
 * reaches `kite.out` before the decision itself: `kite.out` keeps each conversation's causal order.
 * A decision recorded again after a crash is a duplicate on both streams.
 */
export class ConversationLog {
  private constructor(
    readonly log: EventLog,
    private readonly publisher: EventPublisher,
  ) {}

  static async open(nc: NatsConnection): Promise<ConversationLog> {
    return new ConversationLog(await EventLog.open(nc, STREAMS.conversations.name), new EventPublisher(nc));
  }

  /** Records the decisions; those of one conversation land in the order given. */
  async record(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    // One connection keeps the order of what it publishes, so side by side is in order.
    await Promise.all(decisions.flatMap((d) => d.events.flatMap((e) => (isOutboundType(e.type) ? [this.publisher.publish(subjects.outbound(e.tenant, e.type), e)] : []))));
    await Promise.all(decisions.map((d) => this.log.append(d.subject, d.events)));
  }

  /** Whether the conversation's log has entries (it exists once its creation is recorded). */
  async hasEntries(subject: string): Promise<boolean> {
    return this.log.hasEntries(subject);
  }

  /** The conversation's events, oldest first (none when it does not exist). */
  async events(subject: string): Promise<ConversationEvent[]> {
    return (await this.log.entries(subject, CONVERSATION_EVENT_TYPES)).flatMap((e) => e.events);
  }

  /** The sequence of the conversation's last entry, 0 when it has none. */
  async tail(subject: string): Promise<number> {
    return this.log.tail(subject);
  }
}
