import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ConsentChange, ConsentScope } from '@kite/contracts';
import { consentFor, type OrderedConsentChange } from './consent.js';

const CONTACT = '+15557654321';
const N1 = '+15551230001'; // service sales
const N2 = '+15551230002'; // service sales
const N3 = '+15551230003'; // service support
const services: Record<string, string> = { [N1]: 'sales', [N2]: 'sales', [N3]: 'support' };
const serviceOf = (n: string) => services[n];
let seq = 0;
const change = (status: ConsentChange['status'], number: string | undefined, at: string, source: ConsentChange['source'] = 'keyword'): OrderedConsentChange => ({
  change: { contact: CONTACT, status, ...(number ? { number } : {}), source, at },
  seq: ++seq,
});
const stop = (number?: string, at = '2026-11-24T10:00:00Z') => change('opted_out', number, at);
const start = (number?: string, at = '2026-11-24T11:00:00Z') => change('opted_in', number, at);

describe('P2 P3 consent within its scope', () => {
  it('P2 number scope (the default): an opt-out on N1 bars N1 only', () => {
    expect([N1, N2, N3].map((n) => consentFor([stop(N1)], n, 'number', serviceOf))).toEqual(['opted_out', undefined, undefined]);
  });

  it("P2 service scope: an opt-out on N1 bars every number linked to N1's service", () => {
    expect([N1, N2, N3].map((n) => consentFor([stop(N1)], n, 'service', serviceOf))).toEqual(['opted_out', 'opted_out', undefined]);
  });

  it('P2 tenant scope: an opt-out anywhere bars every number', () => {
    expect([N1, N2, N3].map((n) => consentFor([stop(N1)], n, 'tenant', serviceOf))).toEqual(['opted_out', 'opted_out', 'opted_out']);
  });

  it('P6 a change without a number (an administrator\'s) holds for every number, whatever the scope', () => {
    expect([N1, N3].map((n) => consentFor([change('opted_out', undefined, '2026-11-24T10:00:00Z', 'api')], n, 'number', serviceOf))).toEqual(['opted_out', 'opted_out']);
  });

  it('P3 the latest change within the scope decides: START after STOP lets messages leave again; STOP after START bars them', () => {
    expect(consentFor([stop(N1), start(N1)], N1, 'number', serviceOf)).toBe('opted_in');
    expect(consentFor([start(N1, '2026-11-24T09:00:00Z'), stop(N1)], N1, 'number', serviceOf)).toBe('opted_out');
    // By time, not by arrival: a STOP reported late is still older than the START.
    expect(consentFor([start(N1), stop(N1)], N1, 'number', serviceOf)).toBe('opted_in');
  });

  it('P2 a START on another number reaches as far as the scope does', () => {
    expect(consentFor([stop(N1), start(N2)], N1, 'number', serviceOf)).toBe('opted_out');
    expect(consentFor([stop(N1), start(N2)], N1, 'service', serviceOf)).toBe('opted_in');
    expect(consentFor([stop(N1), start(N3)], N1, 'service', serviceOf)).toBe('opted_out');
    expect(consentFor([stop(N1), start(N3)], N1, 'tenant', serviceOf)).toBe('opted_in');
  });

  it('P2 a wider scope never lets through what a narrower one bars', () => {
    const changes = fc.array(
      fc.record({ status: fc.constantFrom<ConsentChange['status']>('opted_out', 'opted_in'), number: fc.constantFrom(N1, N2, N3), minute: fc.integer({ min: 0, max: 50 }) }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(changes, fc.constantFrom(N1, N2, N3), (list, from) => {
        const ordered = list.map((c, i) => ({ change: { contact: CONTACT, status: c.status, number: c.number, source: 'keyword' as const, at: new Date(Date.UTC(2026, 10, 24, 10, c.minute)).toISOString() }, seq: i }));
        // Only opt-outs: the wider the scope, the more numbers barred.
        const outs = ordered.filter((c) => c.change.status === 'opted_out');
        const barred = (scope: ConsentScope) => consentFor(outs, from, scope, serviceOf) === 'opted_out';
        if (barred('number')) expect(barred('service')).toBe(true);
        if (barred('service')) expect(barred('tenant')).toBe(true);
      }),
    );
  });
});
