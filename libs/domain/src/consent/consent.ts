import type { ConsentChange, ConsentScope, ConsentStatus } from '@kite/contracts';

/** A change with its place in the configuration stream, which breaks ties between changes of the same instant. */
export interface OrderedConsentChange {
  change: ConsentChange;
  seq: number;
}

/** The service each number is linked to now (P2's `service` scope). */
export type ServiceOfNumber = (number: string) => string | undefined;

/**
 * P2: whether a change speaks for a message sent from `from`: one without a number speaks for
 * all; otherwise the scope decides: the same number, a number linked to the same service, or any.
 */
export function reaches(change: ConsentChange, from: string, scope: ConsentScope, serviceOf: ServiceOfNumber): boolean {
  if (change.number === undefined || scope === 'tenant' || change.number === from) return true;
  if (scope === 'number') return false;
  const service = serviceOf(from);
  return service !== undefined && serviceOf(change.number) === service;
}

/**
 * P2, P3: a contact's consent for messages from `from`: the latest change that reaches it (by its
 * time, then by its order in the stream); undefined when none does (never asked: messages leave).
 */
export function consentFor(changes: readonly OrderedConsentChange[], from: string, scope: ConsentScope, serviceOf: ServiceOfNumber): ConsentStatus | undefined {
  let latest: OrderedConsentChange | undefined;
  for (const c of changes) {
    if (!reaches(c.change, from, scope, serviceOf)) continue;
    const at = Date.parse(c.change.at);
    const latestAt = latest ? Date.parse(latest.change.at) : -Infinity;
    if (at > latestAt || (at === latestAt && c.seq > latest!.seq)) latest = c;
  }
  return latest?.change.status;
}

export const isOptedOut = (changes: readonly OrderedConsentChange[], from: string, scope: ConsentScope, serviceOf: ServiceOfNumber): boolean => consentFor(changes, from, scope, serviceOf) === 'opted_out';
