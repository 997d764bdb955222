import { Inject, Injectable } from '@nestjs/common';
import { type ConfigEvent, isNumberEvent, type NumberEvent, subjects, type TypedEntry } from '@kite/contracts';
import { decideDetach, rememberedLinkedService } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, ConfigReadModelProcessor, EventProcessor, type Received } from '@kite/service-kit';
import { conversationsOfService } from './conversation-links.js';
import { lockNumbersForDetaching, recordDetaching } from './number-links.js';

/**
 * Linking's copy of the configuration, and L6 with it, in one transaction: when a number's linked
 * service changes from S1 to S2, the conversations of S1 that used the number are detached from it
 * (ConversationDetached in each one's log). The number's linked service is remembered across a
 * removal (`rememberedLinkedService`). The conversations are found in `conversation_links`, with
 * the numbers locked (`number-links.ts`); the change is recorded (`number_detachings`), so that a
 * conversation decided before it and committed after it is detached where it commits. A decision
 * whose copy of the configuration is older than the change waits for the new one. A rebuild
 * replays the changes it had applied without detaching again, and detaches for the ones after them
 * once the conversations are rebuilt.
 */
@Injectable()
@EventProcessor()
export class LinkingConfigurationProcessor extends ConfigReadModelProcessor {
  /** The detaching reads `conversation_links`, which a rebuild fills from the conversation logs. */
  readonly liveAfterRebuild = true;

  constructor(
    cache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
  ) {
    super(cache);
  }

  override async handle(tx: Transaction, entries: readonly Received<TypedEntry<ConfigEvent>>[]): Promise<void> {
    const changes = entries.flatMap(({ item, seq, live }) => item.events.filter(isNumberEvent).map((event) => ({ event, seq, live })));
    await lockNumbersForDetaching(tx, changes.map(({ event }) => ({ tenant: event.tenant, number: event.data.number })));
    await super.handle(tx, entries);
    for (const { event, seq, live } of changes) await this.detach(tx, event, seq, live);
  }

  private async detach(tx: Transaction, event: NumberEvent, seq: number, live: boolean): Promise<void> {
    const { tenant, data } = event;
    await tx.query(`INSERT INTO number_links (tenant, number, linked_service_id, seq) VALUES ($1, $2, NULL, 0) ON CONFLICT DO NOTHING`, [tenant, data.number]);
    const [link] = (await tx.query(`SELECT linked_service_id, seq FROM number_links WHERE tenant = $1 AND number = $2 FOR UPDATE`, [tenant, data.number])) as { linked_service_id: string | null; seq: string }[];
    if (Number(link!.seq) >= seq) return;
    const last = link!.linked_service_id ?? undefined;
    const next = data.configuration?.linkedServiceId;
    if (live && next !== undefined && last !== undefined) {
      if (last !== next) await recordDetaching(tx, { tenant, number: data.number, seq, from: last, to: next, cause: event });
      const candidates = await conversationsOfService(tx, tenant, last, data.number);
      const detached = decideDetach(tenant, data.number, last, next, candidates, event);
      await this.log.record(detached.map((d) => ({ subject: subjects.conversation(tenant, d.data.conversationId), events: [d] })));
    }
    await tx.query(`UPDATE number_links SET linked_service_id = $3, seq = $4 WHERE tenant = $1 AND number = $2`, [tenant, data.number, rememberedLinkedService(last, next) ?? null, seq]);
  }
}
