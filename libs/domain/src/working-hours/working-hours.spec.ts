import { describe, expect, it } from '@jest/globals';
import type { Schedule } from '@kite/contracts';
import { periodAt } from './working-hours.js';

const schedule = (over: Partial<Schedule> = {}): Schedule => ({ timeZone: 'GMT-03:00', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: [], ...over });

describe('C4/R1 working hours', () => {
  it('R1 a weekday 08:00–18:00 rule in GMT-03:00 is open at 08:00 local and closed at 18:00 local', () => {
    // 2026-11-24 is a Tuesday. 08:00 at GMT-03:00 is 11:00Z.
    expect(periodAt(schedule(), new Date('2026-11-24T11:00:00Z'))).toBe('working_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T10:59:59Z'))).toBe('out_of_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T20:59:59Z'))).toBe('working_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T21:00:00Z'))).toBe('out_of_hours');
  });
});
