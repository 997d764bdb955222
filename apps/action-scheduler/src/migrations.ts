import { Positions1732399999000, type MigrationInterface, type QueryRunner } from '@kite/persistence';
import { CONFIG_READ_MODEL_MIGRATIONS } from '@kite/service-kit';

/** The scheduler's read model: each conversation's activity (A2), and the durable timers (A7). */
export class SchedulerModel1732400000700 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE activities (conversation_id text PRIMARY KEY, tenant text NOT NULL, number text, activity jsonb NOT NULL)`);
    await q.query(`CREATE TABLE timers (conversation_id text NOT NULL, action_id text NOT NULL, tenant text NOT NULL, due_at timestamptz NOT NULL, PRIMARY KEY (conversation_id, action_id))`);
    await q.query(`CREATE INDEX timers_by_due ON timers (due_at)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE timers, activities`);
  }
}

export const SCHEDULER_SCHEMA = 'scheduler';
export const SCHEDULER_MIGRATIONS = [Positions1732399999000, ...CONFIG_READ_MODEL_MIGRATIONS, SchedulerModel1732400000700];
