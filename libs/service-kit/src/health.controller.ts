import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
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

  /** Not ready is an answer, not a failure: a 503 with the checks (docs/contract.md), logged nowhere. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): Promise<{ status: 'ok' | 'unavailable'; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    checks.processors = this.processors.ready ? 'up' : 'down';
    try {
      await this.ds.query('SELECT 1');
      checks.database = 'up';
    } catch {
      checks.database = 'down';
    }
    if (Object.values(checks).every((c) => c === 'up')) return { status: 'ok', checks };
    response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'unavailable', checks };
  }
}
