import { Body, Controller, Get, Header, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ConsentChangeBody, ConsentSettings, makeEvent, subjects, type ConsentChange } from '@kite/contracts';
import { consentSettingsProblems } from '@kite/domain';
import { CONFIGURATION_LOG, type EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { AuthGuard, CurrentPrincipal, DATA_SOURCE, findAllConsentChanges, findConsentSettings, findContactConsentChanges, findNumber, findOutboundContext, Problem, validationProblem, Writes, type Principal } from '@kite/service-kit';
import { waitUntil } from '../numbers/wait-until.js';
import { consentCsv, consentView, type ConsentView } from './consent-view.js';
import { contactParam } from './contact-param.js';


/** P6: contacts' consent, as recorded from keywords, the provider and administrators. */
@Controller('v1/consent')
@UseGuards(AuthGuard)
export class ConsentController {
  constructor(
    @Inject(CONFIGURATION_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Get('export')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="consent.csv"')
  async export(@CurrentPrincipal() principal: Principal): Promise<string> {
    return consentCsv(await findAllConsentChanges(this.ds, principal.tenant));
  }

  @Get()
  async read(@CurrentPrincipal() principal: Principal, @Query('contact') contact: unknown): Promise<ConsentView> {
    return this.view(principal.tenant, contactParam(contact, 'contact'));
  }

  /** An opt-out (or opt-in) received another way ("any reasonable means"), recorded by an administrator. */
  @Put(':contact')
  @Writes()
  async record(@CurrentPrincipal() principal: Principal, @Param('contact') contactText: string, @Body() body: unknown): Promise<ConsentView> {
    const contact = contactParam(contactText, 'contact');
    const parsed = ConsentChangeBody.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const { number } = parsed.data;
    if (number !== undefined && !(await findNumber(this.ds, principal.tenant, number))) {
      throw new Problem(400, 'The request body is not valid', '1 problem(s)', [{ path: '$.number', message: `${number} is not a number of the directory` }]);
    }
    const change: ConsentChange = { contact, ...parsed.data, source: 'api', at: new Date().toISOString(), actor: { sub: principal.sub, role: principal.role } };
    const { seq } = await this.log.append(subjects.consent(principal.tenant, contact), [makeEvent('ConsentChanged', principal.tenant, change)]);
    await waitUntil(this.ds, `SELECT max(seq) AS seq FROM consent_changes WHERE tenant = $1 AND contact = $2`, [principal.tenant, contact], seq);
    return this.view(principal.tenant, contact);
  }

  private async view(tenant: string, contact: string): Promise<ConsentView> {
    const [changes, settings, { numbers }] = await Promise.all([findContactConsentChanges(this.ds, tenant, contact), findConsentSettings(this.ds, tenant), findOutboundContext(this.ds, tenant, '')]);
    return consentView(contact, settings.scope, changes, numbers);
  }
}

/** P1, P2, P4: the tenant's consent settings: the opt-out scope, added keywords per language, the reply texts. */
@Controller('v1/consent-settings')
@UseGuards(AuthGuard)
export class ConsentSettingsController {
  constructor(
    @Inject(CONFIGURATION_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Get()
  read(@CurrentPrincipal() principal: Principal): Promise<ConsentSettings> {
    return findConsentSettings(this.ds, principal.tenant);
  }

  @Put()
  @Writes()
  async save(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ConsentSettings> {
    const parsed = ConsentSettings.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const problems = consentSettingsProblems(parsed.data);
    if (problems.length) throw new Problem(400, 'The request body is not valid', `${problems.length} problem(s)`, problems);
    const event = makeEvent('ConsentSettingsSaved', principal.tenant, { settings: parsed.data, actor: { sub: principal.sub, role: principal.role } });
    const { seq } = await this.log.append(subjects.consentSettings(principal.tenant), [event]);
    await waitUntil(this.ds, `SELECT seq FROM consent_settings WHERE tenant = $1`, [principal.tenant], seq);
    return parsed.data;
  }
}
