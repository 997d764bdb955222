import { Controller, Get, Inject, Injectable, Param, UseGuards } from '@nestjs/common';
import { AnyEnvelope, STREAMS, subjects } from '@kite/contracts';
import { JetStreamHandler, logEntryOf, type Delivery, type Settlement } from '@kite/messaging';
import type { DataSource, MigrationInterface, QueryRunner } from '@kite/persistence';
import { DATA_SOURCE } from '@kite/service-kit';
import { AuthGuard } from '@kite/service-kit';
import { CurrentPrincipal } from '@kite/service-kit';
import type { Principal } from '@kite/service-kit';
import { NumberConfigurations } from '../numbers/number-configurations.js';
import { waitUntil } from '../numbers/wait-until.js';

/** C7: every configuration change, with who made it and when, kept to be read back. */
export class ConfigHistory1732400000500 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE history (seq bigint PRIMARY KEY, tenant text NOT NULL, subject text NOT NULL, event jsonb NOT NULL)`);
    await q.query(`CREATE INDEX history_by_subject ON history (subject, seq)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE history`);
  }
}

@Injectable()
export class HistoryConsumer {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  @JetStreamHandler({ stream: STREAMS.config.name, durable: 'history', filterSubject: 'kite.config.>', concurrency: 16 })
  async onConfigEntry(delivery: Delivery): Promise<Settlement | void> {
    const decoded = logEntryOf(delivery);
    if ('dead' in decoded) return decoded.dead;
    const events = decoded.entry.events;
    const tenant = events[0]!.tenant;
    await this.ds.query(`INSERT INTO history (seq, tenant, subject, event) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [delivery.seq, tenant, delivery.subject, JSON.stringify(events)]);
  }
}

export interface HistoryItem {
  version: number;
  type: string;
  occurredAt: string;
  actor: unknown;
  data: Record<string, unknown>;
}

@Controller('v1/numbers')
@UseGuards(AuthGuard)
export class HistoryController {
  constructor(
    private readonly numbers: NumberConfigurations,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** The number's configuration events, oldest first. */
  @Get(':number/history')
  async history(@CurrentPrincipal() principal: Principal, @Param('number') number: string): Promise<HistoryItem[]> {
    const { version } = await this.numbers.load(principal.tenant, number);
    const subject = subjects.numberConfiguration(principal.tenant, number);
    await waitUntil(this.ds, `SELECT max(seq) AS seq FROM history WHERE subject = $1`, [subject], version);
    const rows = (await this.ds.query(`SELECT seq, event FROM history WHERE subject = $1 AND tenant = $2 ORDER BY seq`, [subject, principal.tenant])) as { seq: string; event: AnyEnvelope[] }[];
    return rows.flatMap((r) =>
      r.event.map((e) => {
        const { actor, ...data } = e.data as { actor: unknown } & Record<string, unknown>;
        return { version: Number(r.seq), type: e.type, occurredAt: e.occurredAt, actor, data };
      }),
    );
  }
}
