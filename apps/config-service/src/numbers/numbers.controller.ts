import { Body, Controller, Delete, Get, Headers, Inject, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import { Instant, NumberConfigurationBody, Override, subjects, type NumberSummary, type NumberView, type Channel, type NumberStatus, type RoutingTarget } from '@kite/contracts';
import { configurationProblems, conversationIdFor, decideOverride, decideRemove, decideSave, simulateAt, simulateContact, type Simulation } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findConsentSettings, findContactConsentChanges, findDirectory, findOutboundContext } from '@kite/service-kit';
import { AuthGuard, Writes } from '@kite/service-kit';
import { CurrentPrincipal } from '@kite/service-kit';
import type { Principal } from '@kite/service-kit';
import { Problem, validationProblem } from '@kite/service-kit';
import { contactParam } from '../consent/contact-param.js';
import { NumberConfigurations, type VersionedNumber } from './number-configurations.js';

type Reply = { setHeader(name: string, value: string): void };

const viewOf = ({ state, channels, version }: VersionedNumber): NumberView => ({
  number: state.number,
  channels,
  status: state.status,
  version,
  ...(state.configuration ? { configuration: state.configuration } : {}),
  ...(state.override ? { override: state.override } : {}),
});

const actorOf = (p: Principal) => ({ sub: p.sub, role: p.role });

function versionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const version = Number(ifMatch.replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(version) || version < 0) throw new Problem(400, 'If-Match must be a version returned as ETag', undefined, [{ path: 'If-Match', message: 'must be a version returned as ETag' }]);
  return version;
}

@Controller('v1/numbers')
@UseGuards(AuthGuard)
export class NumbersController {
  constructor(
    private readonly numbers: NumberConfigurations,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly conversations: ConversationLog,
  ) {}

  /** C1: every number of the tenant with its channels and status, and its routing at a glance. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<NumberSummary[]> {
    const rows = (await this.ds.query(
      `SELECT n.number, n.channels, coalesce(c.status, 'not_configured') AS status, c.configuration->>'linkedServiceId' AS linked,
              c.configuration->'workingHours'->'routing' AS working_hours, c.configuration->'outOfHours'->'routing' AS out_of_hours, c.seq
         FROM directory_numbers n LEFT JOIN number_configurations c ON c.tenant = n.tenant AND c.number = n.number
        WHERE n.tenant = $1 ORDER BY n.number`,
      [principal.tenant],
    )) as { number: string; channels: Channel[]; status: NumberStatus; linked: string | null; working_hours: RoutingTarget | null; out_of_hours: RoutingTarget | null; seq: string | null }[];
    return rows.map((r) => ({
      number: r.number,
      channels: r.channels,
      status: r.status,
      ...(r.linked ? { linkedServiceId: r.linked } : {}),
      ...(r.working_hours ? { routing: { workingHours: r.working_hours, ...(r.out_of_hours ? { outOfHours: r.out_of_hours } : {}) } } : {}),
      ...(r.seq ? { version: Number(r.seq) } : {}),
    }));
  }

  @Get(':number')
  async read(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    return this.reply(reply, await this.numbers.load(principal.tenant, number));
  }

  /** C2–C7: a full save, validated against the directory; nothing is stored on any error. */
  @Put(':number')
  @Writes()
  async save(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    const expected = versionOf(ifMatch);
    await this.numbers.load(principal.tenant, number);
    const parsed = NumberConfigurationBody.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const problems = configurationProblems(parsed.data, (await findDirectory(this.ds, principal.tenant))?.directory, number);
    if (problems.length) throw new Problem(400, 'The request body is not valid', `${problems.length} problem(s)`, problems);
    const saved = await this.numbers.change(principal.tenant, number, (state) => decideSave(state, principal.tenant, parsed.data, actorOf(principal)), expected);
    return this.reply(reply, saved);
  }

  /** C9: back to `not_configured`. */
  @Delete(':number')
  @Writes()
  async remove(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    const removed = await this.numbers.change(principal.tenant, number, (state) => decideRemove(state, principal.tenant, actorOf(principal)), versionOf(ifMatch));
    return this.reply(reply, removed);
  }

  /** The emergency override: `closed` or `open` until an instant, or until cleared; audited like any change. */
  @Put(':number/override')
  @Writes()
  async setOverride(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    const expected = versionOf(ifMatch);
    const parsed = Override.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    if (parsed.data.until !== undefined && Date.parse(parsed.data.until) <= Date.now()) {
      throw new Problem(400, 'The request body is not valid', '1 problem(s)', [{ path: '$.until', message: 'must be in the future' }]);
    }
    const changed = await this.numbers.change(principal.tenant, number, (state) => decideOverride(state, principal.tenant, parsed.data, actorOf(principal)), expected);
    return this.reply(reply, changed);
  }

  @Delete(':number/override')
  @Writes()
  async clearOverride(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: Reply): Promise<NumberView> {
    const changed = await this.numbers.change(principal.tenant, number, (state) => decideOverride(state, principal.tenant, undefined, actorOf(principal)), versionOf(ifMatch));
    return this.reply(reply, changed);
  }

  /**
   * Which period, routing target and actions a message at `at` would meet (default: now); with
   * `contact`, also whether a free-form WhatsApp message could reach them then, and their consent (W6).
   */
  @Get(':number/simulate')
  async simulate(@CurrentPrincipal() principal: Principal, @Param('number') number: string, @Query('at') at: unknown, @Query('contact') contactText: unknown): Promise<Simulation> {
    const instant = at === undefined ? new Date() : Instant.safeParse(at).success ? new Date(at as string) : undefined;
    if (!instant) throw new Problem(400, 'The query is not valid', undefined, [{ path: 'at', message: 'must be an ISO 8601 instant such as 2026-11-24T10:00:00Z' }]);
    const contact = contactText === undefined ? undefined : contactParam(contactText, 'contact');
    const { state } = await this.numbers.load(principal.tenant, number);
    const simulation = simulateAt(state, instant);
    if (!contact) return simulation;
    // A number linked to no service has no conversation with the contact: no window.
    const serviceId = state.configuration?.linkedServiceId ?? '';
    const conversation = serviceId ? await this.conversations.events(subjects.conversation(principal.tenant, conversationIdFor(principal.tenant, contact, serviceId))) : [];
    const [changes, settings, { numbers }] = await Promise.all([findContactConsentChanges(this.ds, principal.tenant, contact), findConsentSettings(this.ds, principal.tenant), findOutboundContext(this.ds, principal.tenant, serviceId)]);
    const serviceOf = (n: string) => numbers.find((x) => x.number === n)?.linkedServiceId;
    return { ...simulation, contact: simulateContact(state.number, contact, conversation, instant, { scope: settings.scope, changes, serviceOf }) };
  }

  private reply(reply: Reply, versioned: VersionedNumber): NumberView {
    reply.setHeader('ETag', `"${versioned.version}"`);
    return viewOf(versioned);
  }
}
