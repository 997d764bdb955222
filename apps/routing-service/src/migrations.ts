import { PROCESSOR_MIGRATIONS, type MigrationInterface, type QueryRunner } from '@kite/persistence';
import { CONFIG_READ_MODEL_MIGRATIONS } from '@kite/service-kit';

/** Routing's read model: each conversation's membership and bot state (R3–R8). */
export class RoutingReadModel1732400000200 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE routing_conversations (conversation_id text PRIMARY KEY, tenant text NOT NULL, members text[] NOT NULL, bots_ever_present text[] NOT NULL, inactive_bots text[] NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing_conversations`);
  }
}

export const ROUTING_SCHEMA = 'routing';
export const ROUTING_MIGRATIONS = [...PROCESSOR_MIGRATIONS, ...CONFIG_READ_MODEL_MIGRATIONS, RoutingReadModel1732400000200];
