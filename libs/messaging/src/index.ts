export * from './connection.js';
export * from './streams.js';
export * from './event-log.js';
export * from './acked-publish.js';
export * from './publisher.js';
export * from './dead-letter.js';
export * from './consumer-runner.js';
export * from './nest/jetstream.module.js';
