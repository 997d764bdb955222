import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE } from './database.module.js';
import { Processors } from './processing/processors.js';

/** `/health/live`: the process answers. `/health/ready`: NATS, PostgreSQL and the processors are up. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly processors: Processors,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    checks.processors = this.processors.ready ? 'up' : 'down';
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
