export * from './ports.js';
export * from './nats-server.js';
export * from './nats-cluster.js';
export * from './postgres.js';
export * from './services.js';
export * from './progress.js';
export * from './chromium.js';
