import { Inject, Injectable } from '@nestjs/common';
import { type ConfigEvent, type EventOf, isNumberEvent, type NUMBER_EVENT_TYPES, subjects, type TypedEntry } from '@kite/contracts';
import { decideDetach, rememberedLinkedService } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog } from '@kite/messaging';
import { conversationsOfService } from './conversation-links.js';
import { lockNumberForDetaching } from './number-links.js';
import type { Transaction } from '@kite/persistence';
import { ConfigurationProcessor, EventProcessor, type Received } from '@kite/service-kit';

type NumberEvent = EventOf<(typeof NUMBER_EVENT_TYPES)[number]>;

/**
 * L6: watches each number's linked service. When it changes from S1 to S2, the conversations of S1
 * that used the number are detached from it (ConversationDetached in each one's log). The number's
 * linked service is remembered across a removal (`rememberedLinkedService`). The conversations are
 * found in `conversation_links`, written when a decision creates them, with the number locked: one
 * created a moment before the change is detached too, and one decided after it waits until
 * linking's configuration has the change (`number-links.ts`). A rebuild replays the changes
 * without detaching again.
 */
@Injectable()
@EventProcessor()
export class DetachProcessor extends ConfigurationProcessor {
  readonly name = 'linked-services';
  override readonly filterSubject = 'kite.config.*.number.>';

  constructor(@Inject(CONVERSATION_LOG) private readonly log: ConversationLog) {
    super();
  }

  async handle(tx: Transaction, entries: readonly Received<TypedEntry<ConfigEvent>>[]): Promise<void> {
    for (const { item, seq, live } of entries) for (const event of item.events) if (isNumberEvent(event)) await this.onNumberEvent(tx, event, seq, live);
  }

  private async onNumberEvent(tx: Transaction, event: NumberEvent, seq: number, live: boolean): Promise<void> {
    const { tenant, data } = event;
    await lockNumberForDetaching(tx, tenant, data.number);
    await tx.query(`INSERT INTO number_links (tenant, number, linked_service_id, seq) VALUES ($1, $2, NULL, 0) ON CONFLICT DO NOTHING`, [tenant, data.number]);
    const [link] = (await tx.query(`SELECT linked_service_id, seq FROM number_links WHERE tenant = $1 AND number = $2 FOR UPDATE`, [tenant, data.number])) as { linked_service_id: string | null; seq: string }[];
    if (Number(link!.seq) >= seq) return;
    const last = link!.linked_service_id ?? undefined;
    const next = data.configuration?.linkedServiceId;
    if (live && next !== undefined && last !== undefined) {
      const candidates = await conversationsOfService(tx, tenant, last);
      const detached = decideDetach(tenant, data.number, last, next, candidates, event);
      await this.log.record(detached.map((d) => ({ subject: subjects.conversation(tenant, d.data.conversationId), events: [d] })));
    }
    await tx.query(`UPDATE number_links SET linked_service_id = $3, seq = $4 WHERE tenant = $1 AND number = $2`, [tenant, data.number, rememberedLinkedService(last, next) ?? null, seq]);
  }
}
