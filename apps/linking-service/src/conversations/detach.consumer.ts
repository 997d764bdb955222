import { Inject, Injectable } from '@nestjs/common';
import { NUMBER_EVENT_TYPES, STREAMS, subjects, validateEvent } from '@kite/contracts';
import { decideDetach } from '@kite/domain';
import { CONVERSATION_LOG, deadLetter, JetStreamHandler, logEntryOf, type Delivery, type EventLog, type Settlement } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE } from '@kite/service-kit';

/**
 * L6: watches each number's linked service. When it changes from S1 to S2, the conversations of S1
 * that used the number are detached from it (ConversationDetached in each one's log). A removal
 * keeps the last linked service in mind, so removing and then linking to S2 detaches too.
 */
@Injectable()
export class DetachConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.config.name, durable: 'linked-services', filterSubject: 'kite.config.*.number.>' })
  async onNumberEvent(delivery: Delivery): Promise<Settlement | void> {
    const decoded = logEntryOf(delivery);
    if ('dead' in decoded) return decoded.dead;
    for (const json of decoded.entry.events) {
      const decoded = validateEvent(delivery.subject, json, NUMBER_EVENT_TYPES);
      if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
      const event = decoded.event;
      const { tenant, data } = event;
      await this.ds.transaction(async (tx) => {
        await tx.query(`INSERT INTO number_links (tenant, number, linked_service_id, seq) VALUES ($1, $2, NULL, 0) ON CONFLICT DO NOTHING`, [tenant, data.number]);
        const [link] = (await tx.query(`SELECT linked_service_id, seq FROM number_links WHERE tenant = $1 AND number = $2 FOR UPDATE`, [tenant, data.number])) as { linked_service_id: string | null; seq: string }[];
        if (Number(link!.seq) >= delivery.seq) return;
        const next = data.configuration?.linkedServiceId;
        const candidates = (await tx.query(`SELECT conversation_id AS "conversationId", service_id AS "serviceId", links, detached FROM conversations WHERE tenant = $1 AND service_id = $2`, [tenant, link!.linked_service_id])) as {
          conversationId: string;
          serviceId: string;
          links: string[];
          detached: string[];
        }[];
        const detached = next === undefined ? [] : decideDetach(tenant, data.number, link!.linked_service_id ?? undefined, next, candidates, event);
        for (const d of detached) await this.log.append(subjects.conversation(tenant, d.data.conversationId), [d], undefined);
        await tx.query(`UPDATE number_links SET linked_service_id = coalesce($3, linked_service_id), seq = $4 WHERE tenant = $1 AND number = $2`, [tenant, data.number, next ?? null, delivery.seq]);
      });
    }
  }
}
