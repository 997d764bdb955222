export * from './data-source.js';
export * from './advisory-locks.js';
export * from './checkpoints.js';
export * from './partition-marks.js';
export * from './rebuild-standing.js';
export * from './repartition.js';
export * from './transaction.js';
export type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
export * from './notifications.js';
