import { Injectable } from '@nestjs/common';
import type { ConfigEvent, TypedEntry } from '@kite/contracts';
import type { MigrationInterface, Queryable, QueryRunner, Transaction } from '@kite/persistence';
import { ConfigCache } from './config-lookups.js';
import { ConfigurationProcessor } from './processing/log-processors.js';
import { EventProcessor, type Received } from './processing/processor.js';

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

/** W3: each number's approved WhatsApp templates, which outbound messages are checked against. */
export class ConfigTemplates1733400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directory_numbers ADD COLUMN templates jsonb NOT NULL DEFAULT '[]'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directory_numbers DROP COLUMN templates`);
  }
}

/** P1–P7: each contact's consent changes, and each tenant's consent settings. */
export class ConfigConsent1733400000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE consent_changes (event_id text PRIMARY KEY, tenant text NOT NULL, contact text NOT NULL, seq bigint NOT NULL, change jsonb NOT NULL)`);
    await q.query(`CREATE INDEX consent_changes_by_contact ON consent_changes (tenant, contact, seq)`);
    await q.query(`CREATE TABLE consent_settings (tenant text PRIMARY KEY, settings jsonb NOT NULL, seq bigint NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consent_changes, consent_settings`);
  }
}

export const CONFIG_READ_MODEL_MIGRATIONS = [ConfigReadModel1732400000000, ConfigOverride1732400000400, ConfigVersion1732400000800, ConfigTemplates1733400000000, ConfigConsent1733400000100];

export async function projectConfigEvent(tx: Queryable, seq: number, event: ConfigEvent): Promise<void> {
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
          `INSERT INTO directory_numbers (tenant, number, channels, templates) SELECT $1, n->>'number', ARRAY(SELECT jsonb_array_elements_text(n->'channels')), coalesce(n->'templates', '[]') FROM jsonb_array_elements($2::jsonb) n`,
          [event.tenant, JSON.stringify(numbers)],
        );
      }
      return;
    }
    case 'ConsentChanged':
      await tx.query(`INSERT INTO consent_changes (event_id, tenant, contact, seq, change) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [event.id, event.tenant, event.data.contact, seq, JSON.stringify(event.data)]);
      return;
    case 'ConsentSettingsSaved':
      await tx.query(
        `INSERT INTO consent_settings (tenant, settings, seq) VALUES ($1, $2, $3)
         ON CONFLICT (tenant) DO UPDATE SET settings = EXCLUDED.settings, seq = EXCLUDED.seq WHERE consent_settings.seq < EXCLUDED.seq`,
        [event.tenant, JSON.stringify(event.data.settings), seq],
      );
      return;
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

/** The configuration as every service keeps it, each in its own tables. */
@Injectable()
@EventProcessor()
export class ConfigReadModelProcessor extends ConfigurationProcessor {
  readonly name = 'config';

  constructor(private readonly cache: ConfigCache) {
    super();
  }

  async handle(tx: Transaction, entries: readonly Received<TypedEntry<ConfigEvent>>[]): Promise<void> {
    for (const { item, seq } of entries) for (const event of item.events) await projectConfigEvent(tx, seq, event);
    await tx.query(`UPDATE config_version SET version = version + 1`);
  }

  committed(): void {
    this.cache.changed();
  }
}
