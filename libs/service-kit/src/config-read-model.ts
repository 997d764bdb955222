import { Inject, Injectable } from '@nestjs/common';
import { NUMBER_EVENT_TYPES, validateEvent, STREAMS } from '@kite/contracts';
import { deadLetter, JetStreamHandler, logEntryOf, type Delivery, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from '@kite/persistence';
import { ConfigCache } from './config-lookups.js';
import { DATA_SOURCE } from './database.module.js';

/**
 * The configuration as every service needs it, projected from the configuration events into the
 * service's own schema. Each event carries its aggregate's whole state, so a row keeps the newest
 * by stream sequence: duplicates, redeliveries and replays in any order change nothing twice.
 */
export class ConfigReadModel1732400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE directories (tenant text PRIMARY KEY, directory jsonb NOT NULL, seq bigint NOT NULL)`);
    await q.query(`CREATE TABLE directory_services (tenant text NOT NULL, service_id text NOT NULL, agent_ids text[] NOT NULL, sms_number text, PRIMARY KEY (tenant, service_id))`);
    await q.query(`CREATE TABLE directory_numbers (tenant text NOT NULL, number text NOT NULL, channels text[] NOT NULL, PRIMARY KEY (tenant, number))`);
    await q.query(`CREATE TABLE number_configurations (tenant text NOT NULL, number text NOT NULL, status text NOT NULL, configuration jsonb, seq bigint NOT NULL, PRIMARY KEY (tenant, number))`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE number_configurations, directory_numbers, directory_services, directories`);
  }
}

/** The emergency override, kept with the configuration it overrides. */
export class ConfigOverride1732400000400 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE number_configurations ADD COLUMN override jsonb`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE number_configurations DROP COLUMN override`);
  }
}

/** A counter every applied configuration change bumps: what readers cache is good while it stays. */
export class ConfigVersion1732400000800 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE config_version (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`);
    await q.query(`INSERT INTO config_version (id, version) VALUES (1, 0)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE config_version`);
  }
}

export const CONFIG_READ_MODEL_MIGRATIONS = [ConfigReadModel1732400000000, ConfigOverride1732400000400, ConfigVersion1732400000800];

export const CONFIG_EVENT_TYPES = ['DirectoryReplaced', ...NUMBER_EVENT_TYPES] as const;

export async function projectConfigEvent(tx: EntityManager, subject: string, seq: number, json: unknown): Promise<Settlement | void> {
  const decoded = validateEvent(subject, json, CONFIG_EVENT_TYPES);
  if (!decoded.ok) return deadLetter(decoded.reason, decoded.tenant);
  const event = decoded.event;
  switch (event.type) {
    case 'DirectoryReplaced': {
      const updated = (await tx.query(
        `INSERT INTO directories (tenant, directory, seq) VALUES ($1, $2, $3)
         ON CONFLICT (tenant) DO UPDATE SET directory = EXCLUDED.directory, seq = EXCLUDED.seq WHERE directories.seq < EXCLUDED.seq RETURNING tenant`,
        [event.tenant, JSON.stringify(event.data.directory), seq],
      )) as unknown[];
      if (updated.length === 0) return;
      const { services, numbers } = event.data.directory;
      await tx.query(`DELETE FROM directory_services WHERE tenant = $1`, [event.tenant]);
      await tx.query(`DELETE FROM directory_numbers WHERE tenant = $1`, [event.tenant]);
      if (services.length) {
        await tx.query(
          `INSERT INTO directory_services (tenant, service_id, agent_ids, sms_number) SELECT $1, s->>'id', ARRAY(SELECT jsonb_array_elements_text(s->'agentIds')), s->'dialplan'->>'smsNumber' FROM jsonb_array_elements($2::jsonb) s`,
          [event.tenant, JSON.stringify(services)],
        );
      }
      if (numbers.length) {
        await tx.query(
          `INSERT INTO directory_numbers (tenant, number, channels) SELECT $1, n->>'number', ARRAY(SELECT jsonb_array_elements_text(n->'channels')) FROM jsonb_array_elements($2::jsonb) n`,
          [event.tenant, JSON.stringify(numbers)],
        );
      }
      return;
    }
    default: {
      const { number, status, configuration, override } = event.data;
      await tx.query(
        `INSERT INTO number_configurations (tenant, number, status, configuration, override, seq) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant, number) DO UPDATE SET status = EXCLUDED.status, configuration = EXCLUDED.configuration, override = EXCLUDED.override, seq = EXCLUDED.seq
         WHERE number_configurations.seq < EXCLUDED.seq`,
        [event.tenant, number, status, configuration ? JSON.stringify(configuration) : null, override ? JSON.stringify(override) : null, seq],
      );
      return;
    }
  }
}

/** The configuration consumer every service runs, each with its own durable and its own tables. */
@Injectable()
export class ConfigReadModelConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly cache: ConfigCache,
  ) {}

  @JetStreamHandler({ stream: STREAMS.config.name, durable: 'config', filterSubject: 'kite.config.>', concurrency: 16 })
  async onConfigEvent(delivery: Delivery): Promise<Settlement | void> {
    const decoded = logEntryOf(delivery);
    if ('dead' in decoded) return decoded.dead;
    const settlement = await this.ds.transaction(async (tx) => {
      for (const event of decoded.entry.events) {
        const settlement = await projectConfigEvent(tx, delivery.subject, delivery.seq, event);
        if (settlement) return settlement;
      }
      await tx.query(`UPDATE config_version SET version = version + 1`);
    });
    if (!settlement) this.cache.changed();
    return settlement;
  }
}
