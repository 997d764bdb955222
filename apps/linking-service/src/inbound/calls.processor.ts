import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, type CallEnded } from '@kite/contracts';
import { conversationIdFor, decideCall, normaliseE164 } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision, type Delivery } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, EventProcessor, type Processor, type Received } from '@kite/service-kit';
import { lockConversationLinks } from '../conversations/conversation-links.js';

/** A call as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readCall(delivery: Delivery): CallEnded {
  const call = readEvent(delivery.subject, delivery.data, ['CallEnded']);
  const contact = normaliseE164(call.data.contact);
  if (!contact) throw new Error(`data.contact: ${JSON.stringify(call.data.contact)} cannot be read as E.164`);
  return { ...call, data: { ...call.data, contact } };
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
  /** Calls have ended when they come: no one waits for them. */
  readonly linger = 20;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
  ) {}

  /** A contact's calls keep their order, as its messages do. */
  keyOf(call: CallEnded): string {
    return `${call.tenant} ${call.data.contact}`;
  }

  decode(delivery: Delivery): CallEnded {
    return readCall(delivery);
  }

  async handle(tx: Transaction, received: readonly Received<CallEnded>[]): Promise<void> {
    const calls = received.map((r) => r.item);
    const links = await lockConversationLinks(tx, [...new Set(calls.map(conversationOf))]);
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
