import { Body, Controller, Delete, Get, Headers, Inject, Param, Put, Res, UseGuards } from '@nestjs/common';
import { makeEvent, NumberConfigurationBody, subjects, type Channel, type NumberConfiguration, type NumberStatus } from '@kite/contracts';
import { configurationProblems, configurationToStore } from '@kite/domain';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findDirectory, findNumber } from '@kite/service-kit';
import { AuthGuard, Writes } from '../auth/auth.guard.js';
import { CurrentPrincipal } from '../auth/principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ConfigurationLog, StaleVersion } from '../configuration-log.js';
import { Problem, validationProblem } from '../http/problem.js';

interface NumberView {
  number: string;
  channels: Channel[];
  status: NumberStatus;
  version: number;
  configuration?: NumberConfiguration;
}

type Reply = { setHeader(name: string, value: string): void };

const VERSION_SQL = `SELECT seq FROM number_configurations WHERE tenant = $1 AND number = $2`;

@Controller('v1/numbers')
@UseGuards(AuthGuard)
export class NumbersController {
  constructor(
    private readonly log: ConfigurationLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** C1: every number of the tenant with its channels and status. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ number: string; channels: Channel[]; status: NumberStatus; linkedServiceId?: string; version?: number }[]> {
    const rows = (await this.ds.query(
      `SELECT n.number, n.channels, coalesce(c.status, 'not_configured') AS status, c.configuration->>'linkedServiceId' AS linked, c.seq
         FROM directory_numbers n LEFT JOIN number_configurations c ON c.tenant = n.tenant AND c.number = n.number
        WHERE n.tenant = $1 ORDER BY n.number`,
      [principal.tenant],
    )) as { number: string; channels: Channel[]; status: NumberStatus; linked: string | null; seq: string | null }[];
    return rows.map((r) => ({ number: r.number, channels: r.channels, status: r.status, ...(r.linked ? { linkedServiceId: r.linked } : {}), ...(r.seq ? { version: Number(r.seq) } : {}) }));
  }

  @Get(':number')
  async read(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    const view = await this.view(principal.tenant, number);
    reply.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':number')
  @Writes()
  async save(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    await this.view(principal.tenant, number);
    const parsed = NumberConfigurationBody.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const directory = (await findDirectory(this.ds, principal.tenant))?.directory;
    const problems = configurationProblems(parsed.data, directory);
    if (problems.length) throw new Problem(400, 'The request body is not valid', `${problems.length} problem(s)`, problems);
    const configuration = configurationToStore(parsed.data);
    const event = makeEvent('NumberConfigurationSaved', principal.tenant, { number, status: 'configured', configuration, actor: { sub: principal.sub, role: principal.role } });
    const version = await this.appendVersioned(principal.tenant, number, event, ifMatch);
    reply.setHeader('ETag', `"${version}"`);
    return this.view(principal.tenant, number);
  }

  /** C9: back to `not_configured`. */
  @Delete(':number')
  @Writes()
  async remove(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Headers('if-match') ifMatch: string | undefined): Promise<NumberView> {
    await this.view(principal.tenant, number);
    const event = makeEvent('NumberConfigurationRemoved', principal.tenant, { number, actor: { sub: principal.sub, role: principal.role } });
    await this.appendVersioned(principal.tenant, number, event, ifMatch);
    return this.view(principal.tenant, number);
  }

  private async appendVersioned(tenant: string, number: string, event: Parameters<ConfigurationLog['append']>[1], ifMatch: string | undefined): Promise<number> {
    const expected = ifMatch === undefined ? undefined : Number(ifMatch.replace(/^W\//, '').replace(/"/g, ''));
    if (expected !== undefined && !Number.isInteger(expected)) throw new Problem(400, 'If-Match must be a version returned as ETag');
    try {
      const version = await this.log.append(subjects.numberConfiguration(tenant, number), event, expected);
      await this.log.waitUntilProjected(VERSION_SQL, [tenant, number], version);
      return version;
    } catch (e) {
      if (e instanceof StaleVersion) throw new Problem(412, 'The configuration changed since that version', `expected version ${expected}`);
      throw e;
    }
  }

  /** C6: an unknown number, or another tenant's, is 404. */
  private async view(tenant: string, number: string): Promise<NumberView> {
    const found = await findNumber(this.ds, tenant, number);
    if (!found) throw new Problem(404, 'No such number', `${number} is not a number of this tenant`);
    const version = await this.log.version(subjects.numberConfiguration(tenant, number));
    return { number: found.number, channels: found.channels, status: found.status, version, ...(found.configuration ? { configuration: found.configuration } : {}) };
  }
}
