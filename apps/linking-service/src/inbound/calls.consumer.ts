import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, subjects } from '@kite/contracts';
import { conversationIdFor, decideCall, normaliseE164, resolveSendingNumber } from '@kite/domain';
import { CONVERSATION_LOG, deadLetter, JetStreamHandler, type Delivery, type EventLog, type Settlement } from '@kite/messaging';
import { inTransaction, type DataSource } from '@kite/persistence';
import { DATA_SOURCE, findOutboundContext } from '@kite/service-kit';
import { linkAfter, loadConversationLinks, lockConversationKeys, saveConversationLinks } from '../conversations/conversation-links.js';

/** L4: a call creates or joins conversation (contact, service) and goes on its timeline. */
@Injectable()
export class CallsConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'calls', filterSubject: 'kite.in.*.call.ended' })
  async onCallEnded(delivery: Delivery): Promise<Settlement | void> {
    const decoded = decodeEvent(delivery.subject, delivery.data, ['CallEnded']);
    if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
    const contact = normaliseE164(decoded.event.data.contact);
    if (!contact) return deadLetter(`data.contact: ${JSON.stringify(decoded.event.data.contact)} cannot be read as E.164`, decoded.event.tenant);
    const call = { ...decoded.event, data: { ...decoded.event.data, contact } };
    const { tenant, data } = call;
    return inTransaction(this.ds, async (tx) => {
      const conversationId = conversationIdFor(tenant, contact, data.serviceId);
      await lockConversationKeys(tx, [conversationId]);
      const existing = (await loadConversationLinks(tx, [conversationId])).get(conversationId);
      // A new conversation needs a number: the call's own, else the one O1 would send SMS from.
      let number = existing?.number ?? data.number;
      if (!number) {
        const route = resolveSendingNumber(data.serviceId, 'sms', await findOutboundContext(tx, tenant, data.serviceId));
        if (!route.ok) return deadLetter(`no number for service ${data.serviceId}: the call names none and the service has no number to use (${route.reason})`, tenant);
        number = route.from;
      }
      const events = decideCall(call, conversationId, existing !== undefined, number);
      await this.log.append(subjects.conversation(tenant, conversationId), events, undefined);
      const link = linkAfter(existing, events);
      if (link) await saveConversationLinks(tx, [link]);
    });
  }
}
