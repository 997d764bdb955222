export * from './data-source.js';
export * from './positions.js';
export type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
