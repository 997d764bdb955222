export * from './test-postgres.js';
export * from './test-system.js';
export * from './test-nats.js';
