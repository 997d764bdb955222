import { Controller, Get, Inject, Injectable, Param, UseGuards } from '@nestjs/common';
import { type Actor, type AnyEnvelope, type ConfigEvent, type HistoryItem, type NumberState, subjects, type TypedEntry } from '@kite/contracts';
import { write, type DataSource, type MigrationInterface, type QueryRunner, type Transaction } from '@kite/persistence';
import { AuthGuard, ConfigurationProcessor, CurrentPrincipal, DATA_SOURCE, EventProcessor, type Principal, type Received } from '@kite/service-kit';
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

/** Every configuration change as it was made, for the history API. */
@Injectable()
@EventProcessor()
export class HistoryProcessor extends ConfigurationProcessor {
  readonly name = 'history';

  async handle(tx: Transaction, entries: readonly Received<TypedEntry<ConfigEvent>>[]): Promise<void> {
    // A contact's consent changes have their own record (consent_changes, P6): no copy of them here.
    const rows = entries.filter(({ item }) => !item.events.some((e) => e.type === 'ConsentChanged')).map(({ item, seq, subject }) => ({ seq, tenant: item.events[0]!.tenant, subject, event: item.events }));
    await write(tx, `INSERT INTO history (seq, tenant, subject, event) SELECT seq, tenant, subject, event FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, tenant text, subject text, event jsonb) ON CONFLICT DO NOTHING`, [JSON.stringify(rows)]);
  }
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
        const { actor, ...data } = e.data as { actor: Actor } & NumberState;
        return { version: Number(r.seq), type: e.type, occurredAt: e.occurredAt, actor, data };
      }),
    );
  }
}
