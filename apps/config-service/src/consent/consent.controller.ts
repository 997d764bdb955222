import { Body, Controller, Get, Header, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ConsentChangeBody, ConsentSettings, makeEvent, subjects, type ConsentChange } from '@kite/contracts';
import { normaliseE164 } from '@kite/domain';
import { CONFIGURATION_LOG, type EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { AuthGuard, CurrentPrincipal, DATA_SOURCE, findConsentChanges, findConsentSettings, findOutboundContext, Problem, validationProblem, Writes, type Principal } from '@kite/service-kit';
import { waitUntil } from '../numbers/wait-until.js';
import { consentCsv, consentView, type ConsentView } from './consent-view.js';

/** A contact as the API takes it (L1's written forms), or a 400 naming `path`. */
function contactOf(text: string | undefined, path: string): string {
  const contact = text === undefined ? undefined : normaliseE164(text);
  if (!contact) throw new Problem(400, 'The request is not valid', undefined, [{ path, message: 'must be a phone number that can be read as E.164, such as +15551234567' }]);
  return contact;
}

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
    const byContact = await findConsentChanges(this.ds, principal.tenant);
    const changes = [...byContact.values()].flat().sort((a, b) => a.seq - b.seq);
    return consentCsv(changes.map((c) => c.change));
  }

  @Get()
  async read(@CurrentPrincipal() principal: Principal, @Query('contact') contactText?: string): Promise<ConsentView> {
    return this.view(principal.tenant, contactOf(contactText, 'contact'));
  }

  /** An opt-out (or opt-in) received another way ("any reasonable means"), recorded by an administrator. */
  @Put(':contact')
  @Writes()
  async record(@CurrentPrincipal() principal: Principal, @Param('contact') contactText: string, @Body() body: unknown): Promise<ConsentView> {
    const contact = contactOf(contactText, 'contact');
    const parsed = ConsentChangeBody.safeParse(body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const change: ConsentChange = { contact, ...parsed.data, source: 'api', at: new Date().toISOString(), actor: { sub: principal.sub, role: principal.role } };
    const { seq } = await this.log.append(subjects.consent(principal.tenant, contact), [makeEvent('ConsentChanged', principal.tenant, change)]);
    await waitUntil(this.ds, `SELECT max(seq) AS seq FROM consent_changes WHERE tenant = $1 AND contact = $2`, [principal.tenant, contact], seq);
    return this.view(principal.tenant, contact);
  }

  private async view(tenant: string, contact: string): Promise<ConsentView> {
    const [changes, settings, { numbers }] = await Promise.all([findConsentChanges(this.ds, tenant), findConsentSettings(this.ds, tenant), findOutboundContext(this.ds, tenant, '')]);
    return consentView(contact, settings.scope, changes.get(contact) ?? [], numbers);
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
    const event = makeEvent('ConsentSettingsSaved', principal.tenant, { settings: parsed.data, actor: { sub: principal.sub, role: principal.role } });
    const { seq } = await this.log.append(subjects.consentSettings(principal.tenant), [event]);
    await waitUntil(this.ds, `SELECT seq FROM consent_settings WHERE tenant = $1`, [principal.tenant], seq);
    return parsed.data;
  }
}
