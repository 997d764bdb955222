import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type ConsentChanged, type ConsentSettings, type MessageReceived, type MessageRejected } from '@kite/contracts';
import { decideInbound, inboundConversationOf, normalisedInbound, rejectionOf, type NumberRoute } from '@kite/domain';
import { CONFIGURATION_LOG, CONVERSATION_LOG, EVENT_PUBLISHER, type ConversationLog, type Decision, type Delivery, type EventLog, type EventPublisher } from '@kite/messaging';
import { write, type DataSource, type Transaction } from '@kite/persistence';
import { ConfigCache, DATA_SOURCE, EventProcessor, faultPoint, NotYet, numberNow, type Load, type NumberNow, type NumberRecord, type Processor, type Received } from '@kite/service-kit';
import { claimMessages, linkingConversationOf, lockedConversationLinks, type BatchLinks } from '../conversations/conversation-links.js';
import { lockedNumberLinks } from '../conversations/number-links.js';

const routeOf = (found: NumberRecord | undefined): NumberRoute | undefined =>
  found && { number: found.number, channels: found.channels, status: found.status, linkedServiceId: found.configuration?.linkedServiceId, version: found.version };

interface Routed {
  message: MessageReceived;
  route: NumberRoute | undefined;
  configuration: 'current' | 'behind';
  /** The tenant's consent settings: its keywords and replies (P1, P4). */
  consentSettings: ConsentSettings;
}

/** An inbound message as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readMessage(delivery: Delivery): MessageReceived {
  const received = readEvent(delivery.subject, delivery.data, ['MessageReceived']);
  const message = normalisedInbound(received);
  if (!message) throw new Error(`data.from: ${JSON.stringify(received.data.from)} is not a phone number that can be read as E.164`);
  return message;
}


/** What a batch of messages is decided on: their routes, the ids claimed now, the links of their conversations (locked). */
interface Linking {
  routed: (Routed & { conversationId: string | undefined })[];
  claimed: Set<string>;
  links: BatchLinks;
}

/**
 * L2, L3: inbound SMS and WhatsApp messages become conversation entries, or rejected messages, in
 * the order each contact sent them. A batch is one transaction: its messages are decided in order,
 * each seeing the conversations the ones before it created or linked.
 */
@Injectable()
@EventProcessor()
export class InboundMessagesProcessor implements Processor<MessageReceived, Linking> {
  readonly name = 'messages';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.message.received';
  readonly replayed = false;
  /** A few milliseconds on the way to the answer buy a transaction shared by the messages that come meanwhile (docs/decisions.md, Messaging). */
  readonly linger = 4;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(CONFIGURATION_LOG) private readonly configurationLog: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** A contact's messages keep their order. */
  keyOf(message: MessageReceived): string {
    return `${message.tenant} ${message.data.from}`;
  }

  decode(delivery: Delivery): MessageReceived {
    return readMessage(delivery);
  }

  /**
   * The numbers' configuration (cached), then, with the checkpoints locked: the provider's message
   * ids claimed (the idempotency key for as long as the conversation lives), the position of each
   * number's last change L6's detaching applied (`number-links.ts`), and the conversations locked
   * and read. Two first messages of one contact, on two instances, meet at the locks: one
   * creates, the other joins.
   */
  async load(received: readonly Received<MessageReceived>[]): Promise<Load<Linking>> {
    const config = await this.configCache.lookups(this.ds);
    const looked: Routed[] = [];
    for (const { item: message } of received) {
      looked.push({ message, route: routeOf(await config.number(message.tenant, message.data.to)), configuration: 'current', consentSettings: await config.consentSettings(message.tenant) });
    }
    await this.lookAgainBeforeRejecting(looked);
    const routed = looked.map((r) => ({ ...r, conversationId: inboundConversationOf(r.message, r.route) }));
    const claims = claimMessages(routed.map(({ message: m }) => ({ tenant: m.tenant, messageId: m.data.messageId })));
    // The numbers' locks before the conversations' (number-links.ts).
    const numbers = lockedNumberLinks(routed.flatMap((r) => (r.conversationId ? [{ tenant: r.message.tenant, number: r.message.data.to }] : [])));
    const locked = lockedConversationLinks([...new Set(routed.flatMap((r) => (r.conversationId ? [r.conversationId] : [])))]);
    const linksAt = 1 + numbers.statements.length;
    return {
      statements: [claims.statement, ...numbers.statements, ...locked.statements],
      decode: (rows) => {
        const detachedThrough = numbers.decode(rows.slice(1, linksAt));
        const withDetaching = routed.map((r) => (r.route ? { ...r, route: { ...r.route, detachedThrough: detachedThrough({ tenant: r.message.tenant, number: r.message.data.to }) } } : r));
        return { routed: withDetaching, claimed: claims.decode(rows[0]!), links: locked.decode(rows.slice(linksAt)) };
      },
    };
  }

  /** Links the messages; none while one of them waits for its number's configuration to be applied here (it throws `NotYet`). */
  async handle(tx: Transaction, _received: readonly Received<MessageReceived>[], { routed, claimed, links }: Linking): Promise<void> {
    const appended: Decision[] = [];
    const rejections: MessageRejected[] = [];
    const consent: ConsentChanged[] = [];
    for (const { message, route, configuration, conversationId, consentSettings } of routed) {
      if (!claimed.delete(`${message.tenant} ${message.data.messageId}`)) continue; // handled before, or earlier in this batch
      const decision = decideInbound(message, route, linkingConversationOf(conversationId === undefined ? undefined : links.get(conversationId)), configuration, consentSettings);
      if (decision.kind === 'waiting') throw new NotYet(decision.reason); // the whole batch is tried again
      if (decision.kind === 'rejected') {
        const [rejected] = decision.events;
        await write(tx, `INSERT INTO rejected_messages (tenant, message_id, reason, message) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [message.tenant, message.data.messageId, rejected.data.reason, JSON.stringify(message)]);
        rejections.push(rejected);
        if (decision.consent) consent.push(decision.consent);
        continue;
      }
      appended.push(links.decided(message.tenant, conversationId!, decision.events));
      if (decision.consent) consent.push(decision.consent);
    }
    // P1: the consent change is on its way to every read model before the keyword is in the conversation's log.
    for (const change of consent) await this.configurationLog.append(subjects.consent(change.tenant, change.data.contact), [change]);
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
  private async lookAgainBeforeRejecting(looked: Routed[]): Promise<void> {
    const rejected = looked.filter((r) => rejectionOf(r.message, r.route));
    const keyOf = ({ message }: Routed) => `${message.tenant} ${message.data.to}`;
    const lookups = new Map<string, Promise<NumberNow>>();
    for (const r of rejected) if (!lookups.has(keyOf(r))) lookups.set(keyOf(r), numberNow(this.ds, this.configurationLog, r.message.tenant, r.message.data.to));
    await Promise.all(lookups.values());
    for (const r of rejected) {
      const now = await lookups.get(keyOf(r))!;
      if (now.behind) r.configuration = 'behind';
      else r.route = routeOf(now.number);
    }
  }
}
