import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { JetStreamConsumers } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE } from './database.module.js';

/** `/health/live`: the process answers. `/health/ready`: NATS, PostgreSQL and the consumers are up. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly consumers: JetStreamConsumers,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    checks.consumers = this.consumers.ready ? 'up' : 'down';
    try {
      await this.ds.query('SELECT 1');
      checks.database = 'up';
    } catch {
      checks.database = 'down';
    }
    if (Object.values(checks).some((c) => c !== 'up')) throw new HttpException({ status: 'unavailable', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok', checks };
  }
}
