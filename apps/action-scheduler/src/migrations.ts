import { createPositionsTable, type MigrationInterface, type QueryRunner } from '@kite/persistence';
import { ConfigReadModel1732400000000 } from '@kite/service-kit';

export class SchedulerReadModel1732400000300 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await createPositionsTable(q);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replay_marks, positions`);
  }
}

export const SCHEDULER_SCHEMA = 'scheduler';
export const SCHEDULER_MIGRATIONS = [ConfigReadModel1732400000000, SchedulerReadModel1732400000300];
