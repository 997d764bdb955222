import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent, STREAMS, type CallEnded } from '@kite/contracts';
import { conversationIdFor, decideCall, normaliseE164 } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, deadLetter, JetStreamHandler, type Delivery, type EventLog, type LogAppend, type Settlement } from '@kite/messaging';
import { inTransaction, type DataSource, type Transaction } from '@kite/persistence';
import { ConfigCache, DATA_SOURCE } from '@kite/service-kit';
import { lockConversationLinks } from '../conversations/conversation-links.js';

/** A call that can be read, its contact in E.164, or the dead letter that says why it cannot. */
function readCall(delivery: Delivery): { call: CallEnded } | { dead: Settlement } {
  const decoded = decodeEvent(delivery.subject, delivery.data, ['CallEnded']);
  if (!decoded.ok) return { dead: deadLetter(decoded.reason, decoded.tenant) };
  const contact = normaliseE164(decoded.event.data.contact);
  if (!contact) return { dead: deadLetter(`data.contact: ${JSON.stringify(decoded.event.data.contact)} cannot be read as E.164`, decoded.event.tenant) };
  return { call: { ...decoded.event, data: { ...decoded.event.data, contact } } };
}

/**
 * L4: a call creates or joins conversation (contact, service) and goes on its timeline. A batch is
 * one transaction: its calls are decided in order, each seeing the conversations the ones before it
 * created.
 */
@Injectable()
export class CallsConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.inbound.name, durable: 'calls', filterSubject: 'kite.in.*.call.ended', batch: 100 })
  async onCallsEnded(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    const settlements: (Settlement | void)[] = [];
    const calls: CallEnded[] = [];
    for (const [index, read] of deliveries.map(readCall).entries()) {
      if ('dead' in read) settlements[index] = read.dead;
      else calls.push(read.call);
    }
    if (calls.length) await inTransaction(this.ds, (tx) => this.link(tx, calls));
    return deliveries.map((_, i) => settlements[i]);
  }

  private async link(tx: Transaction, calls: CallEnded[]): Promise<void> {
    const conversationOf = ({ tenant, data }: CallEnded) => conversationIdFor(tenant, data.contact, data.serviceId);
    const conversationIds = [...new Set(calls.map(conversationOf))];
    const { links } = await lockConversationLinks(tx, conversationIds);
    const config = await this.configCache.lookups(tx);
    const appended: LogAppend[] = [];
    for (const call of calls) {
      const { tenant, data } = call;
      const conversationId = conversationOf(call);
      const exists = links.get(conversationId) !== undefined;
      appended.push(links.decided(tenant, conversationId, decideCall(call, conversationId, exists, await config.outboundContext(tenant, data.serviceId))));
    }
    await appendAll(this.log, appended);
    await links.save(tx);
  }
}
