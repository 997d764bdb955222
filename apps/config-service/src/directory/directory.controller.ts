import { Body, Controller, Get, Inject, Put, UseGuards } from '@nestjs/common';
import { Directory, makeEvent, subjects } from '@kite/contracts';
import { directoryProblems } from '@kite/domain';
import { CONFIGURATION_LOG, type EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findDirectory } from '@kite/service-kit';
import { AuthGuard, Writes } from '@kite/service-kit';
import { CurrentPrincipal } from '@kite/service-kit';
import type { Principal } from '@kite/service-kit';
import { Problem, validationProblem } from '@kite/service-kit';
import { waitUntil } from '../numbers/wait-until.js';

const EMPTY: Directory = { numbers: [], services: [], agents: [], bots: [] };

@Controller('v1/directory')
@UseGuards(AuthGuard)
export class DirectoryController {
  constructor(
    @Inject(CONFIGURATION_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Get()
  async read(@CurrentPrincipal() principal: Principal): Promise<Directory & { version: number }> {
    const found = await findDirectory(this.ds, principal.tenant);
    return { ...(found?.directory ?? EMPTY), version: found?.seq ?? 0 };
  }

  /** Replaces the tenant's whole directory; every service reads the change from the event. */
  @Put()
  @Writes()
  async replace(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Directory & { version: number }> {
    const parsed = Directory.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const problems = directoryProblems(parsed.data);
    if (problems.length) throw new Problem(400, 'The request body is not valid', `${problems.length} problem(s)`, problems);
    const event = makeEvent('DirectoryReplaced', principal.tenant, { directory: parsed.data, actor: { sub: principal.sub, role: principal.role } });
    const { seq } = await this.log.append(subjects.directory(principal.tenant), [event], undefined);
    await waitUntil(this.ds, `SELECT seq FROM directories WHERE tenant = $1`, [principal.tenant], seq);
    return { ...parsed.data, version: seq };
  }
}
