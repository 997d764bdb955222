import { deterministicId, makeEvent, type ConsentChanged, type ContactOptedOut } from '@kite/contracts';

/** P6, P7: an opt-out the provider reported, recorded with its source and code; the id derives from the report's, so a repeat records nothing new. */
export function consentOfProviderReport(report: ContactOptedOut): ConsentChanged {
  const { tenant, data } = report;
  const change = { contact: data.contact, status: 'opted_out' as const, number: data.number, source: 'provider' as const, at: data.at, providerCode: data.providerCode, ...(data.messageId ? { messageId: data.messageId } : {}) };
  return makeEvent('ConsentChanged', tenant, change, { cause: report, id: deterministicId(tenant, 'provider-opt-out', report.id) });
}
