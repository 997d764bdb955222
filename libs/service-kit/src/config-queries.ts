import { ConsentSettings, type Channel, type ConsentChange, type Directory, type NumberConfiguration, type NumberStatus, type Override, type WhatsAppTemplate } from '@kite/contracts';
import type { Queryable } from '@kite/persistence';

/** Reads of the configuration read model (config-read-model.ts), for any service. */

/** The read model's version: bumped by every configuration change applied to it. */
export async function configVersion(db: Queryable): Promise<number> {
  const rows = (await db.query(`SELECT version FROM config_version`)) as { version: string }[];
  return Number(rows[0]?.version ?? 0);
}

export interface NumberRecord {
  number: string;
  channels: Channel[];
  status: NumberStatus;
  configuration: NumberConfiguration | undefined;
  override: Override | undefined;
  /** The configuration's position in the configuration stream; undefined when it has none. */
  version?: number | undefined;
}

export async function findNumber(db: Queryable, tenant: string, number: string): Promise<NumberRecord | undefined> {
  const rows = (await db.query(
    `SELECT n.number, n.channels, coalesce(c.status, 'not_configured') AS status, c.configuration, c.override, c.seq
       FROM directory_numbers n LEFT JOIN number_configurations c ON c.tenant = n.tenant AND c.number = n.number
      WHERE n.tenant = $1 AND n.number = $2`,
    [tenant, number],
  )) as { number: string; channels: Channel[]; status: NumberStatus; configuration: NumberConfiguration | null; override: Override | null; seq: string | null }[];
  const row = rows[0];
  return row && { number: row.number, channels: row.channels, status: row.status, configuration: row.configuration ?? undefined, override: row.override ?? undefined, version: row.seq === null ? undefined : Number(row.seq) };
}

/** The tenant's numbers with their channels and configuration, and a service's dialplan SMS number: what O1 reads; and whether the directory has the service. */
export async function findOutboundContext(
  db: Queryable,
  tenant: string,
  serviceId: string,
): Promise<{ numbers: { number: string; channels: Channel[]; status: NumberStatus; linkedServiceId: string | undefined; templates: WhatsAppTemplate[]; version: number | undefined }[]; dialplanSmsNumber: string | undefined; serviceKnown: boolean }> {
  const numbers = (await db.query(
    `SELECT n.number, n.channels, n.templates, coalesce(c.status, 'not_configured') AS status, c.configuration->>'linkedServiceId' AS linked, c.seq
       FROM directory_numbers n LEFT JOIN number_configurations c ON c.tenant = n.tenant AND c.number = n.number WHERE n.tenant = $1`,
    [tenant],
  )) as { number: string; channels: Channel[]; templates: WhatsAppTemplate[]; status: NumberStatus; linked: string | null; seq: string | null }[];
  const services = (await db.query(`SELECT sms_number FROM directory_services WHERE tenant = $1 AND service_id = $2`, [tenant, serviceId])) as { sms_number: string | null }[];
  return { numbers: numbers.map((n) => ({ number: n.number, channels: n.channels, status: n.status, linkedServiceId: n.linked ?? undefined, templates: n.templates, version: n.seq === null ? undefined : Number(n.seq) })), dialplanSmsNumber: services[0]?.sms_number ?? undefined, serviceKnown: services.length > 0 };
}

export async function findGroupAgents(db: Queryable, tenant: string, serviceId: string): Promise<string[]> {
  const rows = (await db.query(`SELECT agent_ids FROM directory_services WHERE tenant = $1 AND service_id = $2`, [tenant, serviceId])) as { agent_ids: string[] }[];
  return rows[0]?.agent_ids ?? [];
}

export async function findDirectory(db: Queryable, tenant: string): Promise<{ directory: Directory; seq: number } | undefined> {
  const rows = (await db.query(`SELECT directory, seq FROM directories WHERE tenant = $1`, [tenant])) as { directory: Directory; seq: string }[];
  const row = rows[0];
  return row && { directory: row.directory, seq: Number(row.seq) };
}

/** The stream sequences of the tenant's directory and of the number's configuration the read model holds, 0 for none. */
export async function appliedConfigurationOf(db: Queryable, tenant: string, number: string): Promise<{ directory: number; number: number }> {
  const rows = (await db.query(
    `SELECT (SELECT seq FROM directories WHERE tenant = $1) AS directory, (SELECT seq FROM number_configurations WHERE tenant = $1 AND number = $2) AS number`,
    [tenant, number],
  )) as { directory: string | null; number: string | null }[];
  return { directory: Number(rows[0]?.directory ?? 0), number: Number(rows[0]?.number ?? 0) };
}

export interface OrderedChange {
  change: ConsentChange;
  seq: number;
}

/** P6: one contact's consent changes, in stream order. */
export async function findContactConsentChanges(db: Queryable, tenant: string, contact: string): Promise<OrderedChange[]> {
  const rows = (await db.query(`SELECT seq, change FROM consent_changes WHERE tenant = $1 AND contact = $2 ORDER BY seq`, [tenant, contact])) as { seq: string; change: ConsentChange }[];
  return rows.map((r) => ({ change: r.change, seq: Number(r.seq) }));
}

/** P3: the tenant's contacts that have any consent change: far fewer than those who write, so most messages need no lookup of their own. */
export async function findConsentedContacts(db: Queryable, tenant: string): Promise<Set<string>> {
  const rows = (await db.query(`SELECT DISTINCT contact FROM consent_changes WHERE tenant = $1`, [tenant])) as { contact: string }[];
  return new Set(rows.map((r) => r.contact));
}

/** P6: every consent change of the tenant, in stream order (the export). */
export async function findAllConsentChanges(db: Queryable, tenant: string): Promise<ConsentChange[]> {
  const rows = (await db.query(`SELECT change FROM consent_changes WHERE tenant = $1 ORDER BY seq`, [tenant])) as { change: ConsentChange }[];
  return rows.map((r) => r.change);
}

/** P1, P2, P4: the tenant's consent settings, the defaults until it saves its own. */
export async function findConsentSettings(db: Queryable, tenant: string): Promise<ConsentSettings> {
  const rows = (await db.query(`SELECT settings FROM consent_settings WHERE tenant = $1`, [tenant])) as { settings: unknown }[];
  return ConsentSettings.parse(rows[0]?.settings ?? {});
}
