import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, PinoNestLogger } from './logger.js';
import type { ServiceConfig } from './service-config.js';

/**
 * Starts a service: the Nest application with shutdown hooks (SIGINT/SIGTERM stop the consumers,
 * let in-flight work settle, drain NATS, close the database) and HTTP on the configured port.
 */
export async function runService(config: ServiceConfig, module: unknown): Promise<void> {
  const logger = createLogger(config.service, config.logLevel);
  // forceCloseConnections: idle keep-alive connections must not hold a shutdown open.
  const app = await NestFactory.create(module as never, { logger: new PinoNestLogger(logger), forceCloseConnections: true });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info({ port: config.port }, `${config.service} listening`);
}
