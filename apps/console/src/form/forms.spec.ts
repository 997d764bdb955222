import { describe, expect, it } from '@jest/globals';
import type { NumberConfiguration } from '@kite/contracts';
import { sessionOf } from '../session.js';
import { changedParts } from './changes.js';
import { fieldId, problemsAt } from './problems.js';
import { rangeNote } from './ranges.js';

const configuration: NumberConfiguration = {
  linkedServiceId: 'svc-sales',
  workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] },
};
const token = (claims: Record<string, unknown>) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.s`;

describe("the console's form", () => {
  it('C6 a problem is found by its JSON path, and a path always names the same field', () => {
    const problems = [{ path: '$.workingHours.schedule.timeZone', message: 'must be an IANA time zone' }];
    expect(problemsAt(problems, '$.workingHours.schedule.timeZone')).toEqual(['must be an IANA time zone']);
    expect(problemsAt(problems, '$.workingHours.schedule')).toEqual([]);
    expect(fieldId('$.workingHours.schedule.rules[1].to')).toBe('f--workingHours-schedule-rules-1-to');
  });

  it('C4 ranges past midnight, and of 24 hours, are said as such', () => {
    expect(rangeNote('22:00', '02:00')).toBe('until 02:00 the next day (past midnight)');
    expect(rangeNote('08:00', '08:00')).toBe('24 hours from its start');
    expect(rangeNote('08:00', '18:00')).toBeUndefined();
  });

  it('C7 what changed between two versions, in the words of the form', () => {
    const moved = { ...configuration, workingHours: { ...configuration.workingHours, schedule: { ...configuration.workingHours.schedule, closures: ['2026-12-25'] } } };
    expect(changedParts({ configuration }, { configuration: moved })).toEqual(['closures']);
    expect(changedParts({ configuration }, { configuration, override: { mode: 'closed' } })).toEqual(['emergency override']);
    expect(changedParts(undefined, { configuration })).toEqual(['configured']);
    expect(changedParts({ configuration }, {})).toEqual(['configuration removed']);
  });

  it('S1 sign-in reads the tenant and role a token names, and says why a text is not a token', () => {
    expect(sessionOf(token({ tenant: 'acme', role: 'viewer', sub: 'ana', exp: Date.now() / 1000 + 60 }))).toMatchObject({ tenant: 'acme', role: 'viewer', sub: 'ana' });
    expect(sessionOf('not a token')).toBe('This is not a token: a token has three parts separated by dots.');
    expect(sessionOf(token({ tenant: 'acme', role: 'owner' }))).toBe('The token names no tenant or role.');
    expect(sessionOf(token({ tenant: 'acme', role: 'admin', exp: 1 }))).toBe('The token has expired: make a new one.');
  });
});
