import type { ConsentChange, ConsentScope, ConsentStatus } from '@kite/contracts';
import { consentFor, type OrderedConsentChange } from '@kite/domain';

/** P6: a contact's consent as the API shows it: for each of the tenant's numbers, and every change, oldest first. */
export interface ConsentView {
  contact: string;
  scope: ConsentScope;
  numbers: { number: string; consent: ConsentStatus | 'none' }[];
  changes: (ConsentChange & { seq: number })[];
}

export function consentView(contact: string, scope: ConsentScope, changes: readonly OrderedConsentChange[], numbers: readonly { number: string; linkedServiceId: string | undefined }[]): ConsentView {
  const serviceOf = (number: string) => numbers.find((n) => n.number === number)?.linkedServiceId;
  return {
    contact,
    scope,
    numbers: numbers.map(({ number }) => ({ number, consent: consentFor(changes, number, scope, serviceOf) ?? 'none' })),
    changes: changes.map(({ change, seq }) => ({ ...change, seq })),
  };
}

const COLUMNS = ['contact', 'number', 'status', 'source', 'at', 'message_id', 'keyword', 'provider_code', 'actor'] as const;

/** A CSV field: quoted when it must be; text a spreadsheet would run as a formula is kept as text. */
function field(value: string | undefined, freeText = false): string {
  if (value === undefined) return '';
  const safe = freeText && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** P6: every consent change of a tenant, as CSV (RFC 4180, CRLF), oldest first. */
export function consentCsv(changes: readonly ConsentChange[]): string {
  const rows = changes.map((c) =>
    [field(c.contact), field(c.number ?? '*'), field(c.status), field(c.source), field(c.at), field(c.messageId), field(c.keyword, true), field(c.providerCode, true), field(c.actor?.sub, true)].join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
