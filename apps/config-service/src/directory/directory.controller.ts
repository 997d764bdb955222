import { Body, Controller, Get, Put, UseGuards, Inject } from '@nestjs/common';
import { Directory, makeEvent, subjects } from '@kite/contracts';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findDirectory } from '@kite/service-kit';
import { AuthGuard, Writes } from '../auth/auth.guard.js';
import { CurrentPrincipal } from '../auth/principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { validationProblem } from '../http/problem.js';
import { ConfigurationLog } from '../configuration-log.js';

const EMPTY: Directory = { numbers: [], services: [], agents: [], bots: [] };

@Controller('v1/directory')
@UseGuards(AuthGuard)
export class DirectoryController {
  constructor(
    private readonly log: ConfigurationLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Get()
  async read(@CurrentPrincipal() principal: Principal): Promise<Directory & { version: number }> {
    const found = await findDirectory(this.ds, principal.tenant);
    return { ...(found?.directory ?? EMPTY), version: found?.seq ?? 0 };
  }

  /** Replaces the tenant's whole directory; services, routing and actions read it from the event. */
  @Put()
  @Writes()
  async replace(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Directory & { version: number }> {
    const parsed = Directory.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const event = makeEvent('DirectoryReplaced', principal.tenant, { directory: parsed.data, actor: { sub: principal.sub, role: principal.role } });
    const version = await this.log.append(subjects.directory(principal.tenant), event);
    await this.log.waitUntilProjected(`SELECT seq FROM directories WHERE tenant = $1`, [principal.tenant], version);
    return { ...parsed.data, version };
  }
}
