import { PROCESSOR_MIGRATIONS, type MigrationInterface, type QueryRunner } from '@kite/persistence';
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

/**
 * Each conversation's position kept in its activity row, which the projection writes with every
 * batch anyway, not in `positions`: one row write and one read per conversation fewer (docs/decisions.md).
 */
export class ActivityPositions1732400000800 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE activities ADD COLUMN position bigint NOT NULL DEFAULT 0`);
    // Every conversation the projection applied has its activity row (it saves one per run).
    await q.query(`UPDATE activities a SET position = p.seq FROM positions p WHERE p.projection = 'scheduler-activity' AND p.aggregate = 'kite.conv.' || a.tenant || '.' || a.conversation_id`);
    await q.query(`DELETE FROM positions WHERE projection = 'scheduler-activity'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO positions (projection, aggregate, seq) SELECT 'scheduler-activity', 'kite.conv.' || tenant || '.' || conversation_id, position FROM activities WHERE position > 0`);
    await q.query(`ALTER TABLE activities DROP COLUMN position`);
  }
}

export const SCHEDULER_SCHEMA = 'scheduler';
export const SCHEDULER_MIGRATIONS = [...PROCESSOR_MIGRATIONS, ...CONFIG_READ_MODEL_MIGRATIONS, SchedulerModel1732400000700, ActivityPositions1732400000800];
