import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type MessageReceived, type MessageRejected } from '@kite/contracts';
import { decideInbound, inboundConversationOf, normalisedInbound, rejectionOf, type NumberRoute } from '@kite/domain';
import { CONFIGURATION_LOG, CONVERSATION_LOG, EVENT_PUBLISHER, type ConversationLog, type Decision, type Delivery, type EventLog, type EventPublisher } from '@kite/messaging';
import { write, type Transaction } from '@kite/persistence';
import { ConfigCache, EventProcessor, faultPoint, NotYet, numberNow, type NumberNow, type NumberRecord, type Processor, type Received } from '@kite/service-kit';
import { claimMessages, linkingConversationOf, lockConversationLinks } from '../conversations/conversation-links.js';

const routeOf = (found: NumberRecord | undefined): NumberRoute | undefined =>
  found && { number: found.number, channels: found.channels, status: found.status, linkedServiceId: found.configuration?.linkedServiceId };

interface Routed {
  message: MessageReceived;
  route: NumberRoute | undefined;
  configuration: 'current' | 'behind';
}

/** An inbound message as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readMessage(delivery: Delivery): MessageReceived {
  const received = readEvent(delivery.subject, delivery.data, ['MessageReceived']);
  const message = normalisedInbound(received);
  if (!message) throw new Error(`data.from: ${JSON.stringify(received.data.from)} is not a phone number that can be read as E.164`);
  return message;
}


/**
 * L2, L3: inbound SMS and WhatsApp messages become conversation entries, or rejected messages, in
 * the order each contact sent them. A batch is one transaction: its messages are decided in order,
 * each seeing the conversations the ones before it created or linked.
 */
@Injectable()
@EventProcessor()
export class InboundMessagesProcessor implements Processor<MessageReceived> {
  readonly name = 'messages';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.message.received';
  readonly replayed = false;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(CONFIGURATION_LOG) private readonly configurationLog: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  /** A contact's messages keep their order. */
  keyOf(message: MessageReceived): string {
    return `${message.tenant} ${message.data.from}`;
  }

  decode(delivery: Delivery): MessageReceived {
    return readMessage(delivery);
  }

  async handle(tx: Transaction, received: readonly Received<MessageReceived>[]): Promise<void> {
    await this.link(tx, received.map((r) => r.item));
  }

  /** Links the messages; none while one of them waits for its number's configuration to be applied here (it throws `NotYet`). */
  private async link(tx: Transaction, messages: MessageReceived[]): Promise<void> {
    const config = await this.configCache.lookups(tx);
    const looked: Routed[] = [];
    for (const message of messages) looked.push({ message, route: routeOf(await config.number(message.tenant, message.data.to)), configuration: 'current' });
    await this.lookAgainBeforeRejecting(tx, looked);
    const routed = looked.map((r) => ({ ...r, conversationId: inboundConversationOf(r.message, r.route) }));
    const conversationIds = [...new Set(routed.flatMap((w) => (w.conversationId ? [w.conversationId] : [])))];
    // The provider's message id is the idempotency key for as long as the conversation lives. Two
    // first messages of one contact, on two instances, meet at the locks: one creates, the other
    // joins. Claim, locks and links are one round trip (the conversations of messages handled
    // before are locked and read too).
    const locked = await lockConversationLinks(tx, conversationIds, claimMessages(routed.map(({ message: m }) => ({ tenant: m.tenant, messageId: m.data.messageId }))));
    const claimed = locked.first!;
    const links = locked.links;
    const appended: Decision[] = [];
    const rejections: MessageRejected[] = [];
    for (const { message, route, configuration, conversationId } of routed) {
      if (!claimed.delete(`${message.tenant} ${message.data.messageId}`)) continue; // handled before, or earlier in this batch
      const decision = decideInbound(message, route, linkingConversationOf(conversationId === undefined ? undefined : links.get(conversationId)), configuration);
      if (decision.kind === 'waiting') throw new NotYet(decision.reason); // the whole batch is tried again
      if (decision.kind === 'rejected') {
        const [rejected] = decision.events;
        await write(tx, `INSERT INTO rejected_messages (tenant, message_id, reason, message) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [message.tenant, message.data.messageId, rejected.data.reason, JSON.stringify(message)]);
        rejections.push(rejected);
        continue;
      }
      appended.push(links.decided(message.tenant, conversationId!, decision.events));
    }
    await Promise.all([...rejections.map((r) => this.publisher.publish(subjects.outbound(r.tenant, 'MessageRejected'), r)), this.log.record(appended)]);
    if (appended.length) faultPoint('linking:after-append');
    await links.save(tx);
  }

  /**
   * A message the cached configuration would reject is looked at again in the read model itself,
   * which is `behind` while the configuration stream holds a change to its number (or its tenant's
   * directory) not applied here yet (L2 then has it wait). A number's first message, sent the
   * moment the administrator configured it, links instead of being rejected.
   */
  private async lookAgainBeforeRejecting(tx: Transaction, looked: Routed[]): Promise<void> {
    const rejected = looked.filter((r) => rejectionOf(r.message, r.route));
    const keyOf = ({ message }: Routed) => `${message.tenant} ${message.data.to}`;
    const lookups = new Map<string, Promise<NumberNow>>();
    for (const r of rejected) if (!lookups.has(keyOf(r))) lookups.set(keyOf(r), numberNow(tx, this.configurationLog, r.message.tenant, r.message.data.to));
    await Promise.all(lookups.values());
    for (const r of rejected) {
      const now = await lookups.get(keyOf(r))!;
      if (now.behind) r.configuration = 'behind';
      else r.route = routeOf(now.number);
    }
  }
}
