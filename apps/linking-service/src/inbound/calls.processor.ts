import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, type CallEnded } from '@kite/contracts';
import { conversationIdFor, decideCall, normaliseE164 } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision, type Delivery } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, EventProcessor, type Processor, type Received } from '@kite/service-kit';
import { lockConversationLinks } from '../conversations/conversation-links.js';
import { contactKeyOf } from './ordering-keys.js';

/** A call as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readCall(delivery: Delivery): CallEnded {
  const decoded = decodeEvent(delivery.subject, delivery.data, ['CallEnded']);
  if (!decoded.ok) throw new Error(decoded.reason);
  const contact = normaliseE164(decoded.event.data.contact);
  if (!contact) throw new Error(`data.contact: ${JSON.stringify(decoded.event.data.contact)} cannot be read as E.164`);
  return { ...decoded.event, data: { ...decoded.event.data, contact } };
}

const conversationOf = ({ tenant, data }: CallEnded) => conversationIdFor(tenant, data.contact, data.serviceId);


/**
 * L4: a call creates or joins conversation (contact, service) and goes on its timeline. A batch is
 * one transaction: its calls are decided in order, each seeing the conversations the ones before it
 * created.
 */
@Injectable()
@EventProcessor()
export class CallsProcessor implements Processor<CallEnded> {
  readonly name = 'calls';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.call.ended';
  readonly replayed = false;
  readonly batch = 100;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
  ) {}

  keyOf(delivery: Delivery): string {
    return contactKeyOf(delivery, 'contact');
  }

  decode(delivery: Delivery): CallEnded {
    return readCall(delivery);
  }

  async handle(tx: Transaction, received: readonly Received<CallEnded>[]): Promise<void> {
    const calls = received.map((r) => r.item);
    const { links } = await lockConversationLinks(tx, [...new Set(calls.map(conversationOf))]);
    const config = await this.configCache.lookups(tx);
    const decisions: Decision[] = [];
    for (const call of calls) {
      const { tenant, data } = call;
      const conversationId = conversationOf(call);
      const exists = links.get(conversationId) !== undefined;
      decisions.push(links.decided(tenant, conversationId, decideCall(call, conversationId, exists, await config.outboundContext(tenant, data.serviceId))));
    }
    await this.log.record(decisions);
    await links.save(tx);
  }
}
