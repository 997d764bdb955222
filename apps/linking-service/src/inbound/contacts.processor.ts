import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, subjects, type ConsentChanged, type MessageRejected } from '@kite/contracts';
import { decideCall, decideConversationRequest, decideInbound, decideLateDetach, detachingAgrees, linkOf, positionDecidedOn, waitingForDetaching } from '@kite/domain';
import { CONFIGURATION_LOG, CONVERSATION_LOG, EVENT_PUBLISHER, type ConversationLog, type Decision, type Delivery, type EventLog, type EventPublisher } from '@kite/messaging';
import { write, type DataSource, type QueuedWrites, type Transaction } from '@kite/persistence';
import { ConfigCache, DATA_SOURCE, EventProcessor, faultPoint, HeldState, NotYet, type HoldingProcessor, type Load, type Received } from '@kite/service-kit';
import { handledKey, linkingConversationOf, markHandled, type Handled } from '../conversations/conversation-links.js';
import { lockedDetachings } from '../conversations/number-links.js';
import { contactOf, readContactEvent, type ContactEvent, type OtherInbound } from './contact-events.js';
import { claimOf, lookUpContacts, type Contacts, type Held, type NumberGiven } from './contacts-state.js';

type Item = ContactEvent | OtherInbound;

/**
 * L2–L5: what a contact does (messages, calls) and what agents ask for a contact (a conversation)
 * becomes the entries of the contact's conversations, in the order they came, or rejected
 * messages. Every input that can create a conversation is here, keyed by contact: one instance
 * decides a contact's conversations at a time, from what it holds of them, and commits every
 * 100 ms (a holding processor: `docs/architecture.md`).
 */
@Injectable()
@EventProcessor()
export class ContactsProcessor implements HoldingProcessor<Item, Contacts> {
  readonly name = 'contacts';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.>';
  readonly replayed = false;
  /** A few milliseconds on the way to the answer buy a batch of the messages that come meanwhile (docs/decisions.md, Messaging). */
  readonly linger = 8;
  readonly commitEvery = 100;
  /** Each conversation's links ('none' when it does not exist) and the message and call ids handled. */
  readonly held = new HeldState<Held>();

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(CONFIGURATION_LOG) private readonly configurationLog: EventLog,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  keyOf(item: Item): string {
    return item.type === 'other' ? item.subject : `${item.tenant} ${contactOf(item)}`;
  }

  decode(delivery: Delivery): Item {
    return readContactEvent(delivery);
  }

  concerns(item: Item): boolean {
    return item.type !== 'other';
  }

  load(received: readonly Received<Item>[]): Promise<Load<Contacts>> {
    const events = received.flatMap((r) => (r.item.type === 'other' ? [] : [{ ...r, item: r.item }]));
    return lookUpContacts(events, { cache: this.configCache, ds: this.ds, configurationLog: this.configurationLog, held: this.held });
  }

  /** Decides in order, each event seeing the conversations the ones before it created or linked; none while one waits for its number's configuration (`NotYet`). */
  async handle(writes: QueuedWrites | Transaction, _received: readonly Received<Item>[], contacts: Contacts): Promise<void> {
    const { links, handled } = contacts;
    const decisions: Decision[] = [];
    const rejections: MessageRejected[] = [];
    const consent: ConsentChanged[] = [];
    const claimed: Handled[] = [];
    const given: NumberGiven[] = [];
    for (const looked of contacts.looked) {
      const claim = claimOf(looked);
      if (claim) {
        if (handled.has(handledKey(claim))) continue; // handled before, or earlier in this batch
        handled.add(handledKey(claim));
        claimed.push(claim);
      }
      if (looked.kind === 'message') {
        const { message, route, configuration, conversationId, consentSettings } = looked;
        const decision = decideInbound(message, route, linkingConversationOf(conversationId === undefined ? undefined : links.get(conversationId)), configuration, consentSettings);
        if (decision.kind === 'waiting') throw new NotYet(decision.reason); // the whole batch is tried again
        if (decision.consent) consent.push(decision.consent);
        if (decision.kind === 'rejected') {
          const [rejected] = decision.events;
          await write(writes, `INSERT INTO rejected_messages (tenant, message_id, reason, message) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [message.tenant, message.data.messageId, rejected.data.reason, JSON.stringify(message)]);
          rejections.push(rejected);
          continue;
        }
        const before = links.get(conversationId!);
        decisions.push(links.decided(message.tenant, conversationId!, decision.events));
        const { channel, to } = message.data;
        if (!before?.links.includes(linkOf(channel, to))) given.push({ tenant: message.tenant, number: to, since: positionDecidedOn(route!.version, route!.detachedThrough), serviceId: decision.conversationKey.serviceId, link: links.get(conversationId!)! });
      } else if (looked.kind === 'call') {
        const { call, conversationId, context } = looked;
        decisions.push(links.decided(call.tenant, conversationId, decideCall(call, conversationId, links.get(conversationId) !== undefined, context)));
      } else {
        const { request, conversationId, context, members, detachable } = looked;
        if (links.get(conversationId) === undefined) {
          const behind = detachable.find((n) => !detachingAgrees(n.version, n.detachedThrough));
          if (behind) throw new NotYet(waitingForDetaching(behind.number));
        }
        const events = decideConversationRequest(request, conversationId, links.get(conversationId) && { members }, context);
        const [first] = events;
        if (!first) continue;
        if (first.type === 'ConversationRequestRejected') {
          await this.publisher.publish(subjects.outbound(request.tenant, 'ConversationRequestRejected'), first);
          continue;
        }
        decisions.push(links.decided(request.tenant, conversationId, events));
        const number = first.type === 'ConversationCreated' ? detachable.find((n) => n.number === first.data.number) : undefined;
        if (number) given.push({ tenant: request.tenant, number: number.number, since: positionDecidedOn(number.version, number.detachedThrough), serviceId: request.data.serviceId, link: links.get(conversationId)! });
      }
    }
    // P1: the consent change is on its way to every read model before the keyword is in the conversation's log.
    for (const change of consent) await this.configurationLog.append(subjects.consent(change.tenant, change.data.contact), [change]);
    await Promise.all([...rejections.map((r) => this.publisher.publish(subjects.outbound(r.tenant, 'MessageRejected'), r)), this.log.record(decisions)]);
    if (decisions.length) faultPoint('linking:after-append');
    await links.save(writes);
    await markHandled(writes, claimed);
    if (given.length) writes.beforeCommit(this.detachLate, given);
    for (const [partition, ids] of contacts.conversationsOf) for (const id of ids) this.held.set(partition, id, links.get(id) ?? 'none');
    for (const [partition, keys] of contacts.handledOf) for (const key of keys) if (handled.has(key)) this.held.set(partition, key, 'handled');
  }

  /**
   * L6 where the decisions commit, the numbers locked: a change of a number's linked service that
   * committed after a decision gave a conversation the number looked for the conversations to
   * detach before this one was there; it is detached now, as that change would have.
   */
  private readonly detachLate = async (tx: Transaction, given: readonly NumberGiven[]): Promise<void> => {
    const changes = await lockedDetachings(tx, given, Math.min(...given.map((g) => g.since)));
    if (changes.length === 0) return;
    const decisions = given.flatMap(({ tenant, number, since, serviceId, link }) => {
      const ofNumber = changes.filter((c) => c.tenant === tenant && c.number === number);
      const detached = decideLateDetach(tenant, number, since, { conversationId: link.conversationId, serviceId, links: link.links }, ofNumber);
      return detached.map((event) => ({ subject: subjects.conversation(tenant, link.conversationId), events: [event] }));
    });
    await this.log.record(decisions);
  };
}
