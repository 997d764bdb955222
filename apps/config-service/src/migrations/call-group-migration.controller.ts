import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { CallGroupMigration } from '@kite/contracts';
import { decideMigrate } from '@kite/domain';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findDirectory } from '@kite/service-kit';
import { AuthGuard, Writes } from '@kite/service-kit';
import { CurrentPrincipal } from '@kite/service-kit';
import type { Principal } from '@kite/service-kit';
import { Problem, validationProblem, type ProblemError } from '@kite/service-kit';
import { NumberConfigurations } from '../numbers/number-configurations.js';

/**
 * C8: legacy call-group SMS settings become `partially_configured` numbers. All references are
 * checked first (nothing is stored on any error); numbers that already have a configuration keep
 * it, so running the migration twice changes nothing.
 */
@Controller('v1/migrations')
@UseGuards(AuthGuard)
export class CallGroupMigrationController {
  constructor(
    private readonly numbers: NumberConfigurations,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Post('call-groups')
  @HttpCode(200)
  @Writes()
  async migrate(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<{ migrated: string[]; unchanged: string[] }> {
    const parsed = CallGroupMigration.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const directory = (await findDirectory(this.ds, principal.tenant))?.directory;
    const problems: ProblemError[] = [];
    const claimed = new Map<string, string>();
    parsed.data.callGroups.forEach((group, i) => {
      if (!directory?.services.some((s) => s.id === group.serviceId)) problems.push({ path: `$.callGroups[${i}].serviceId`, message: `service ${group.serviceId} is not in the directory` });
      group.numbers.forEach((number, j) => {
        if (!directory?.numbers.some((n) => n.number === number)) problems.push({ path: `$.callGroups[${i}].numbers[${j}]`, message: `${number} is not a number of this tenant` });
        const other = claimed.get(number);
        if (other !== undefined && other !== group.serviceId) problems.push({ path: `$.callGroups[${i}].numbers[${j}]`, message: `${number} is also in call group ${other}: a number has one linked service` });
        claimed.set(number, group.serviceId);
      });
    });
    if (problems.length) throw new Problem(400, 'The request body is not valid', `${problems.length} problem(s)`, problems);
    const migrated: string[] = [];
    const unchanged: string[] = [];
    for (const [number, serviceId] of claimed) {
      const before = await this.numbers.load(principal.tenant, number);
      const after = await this.numbers.change(principal.tenant, number, (state) => decideMigrate(state, principal.tenant, serviceId, { sub: principal.sub, role: principal.role }));
      (after.version === before.version ? unchanged : migrated).push(number);
    }
    return { migrated, unchanged };
  }
}
