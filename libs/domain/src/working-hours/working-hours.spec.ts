import { describe, expect, it } from '@jest/globals';
import type { Schedule, ScheduleRule } from '@kite/contracts';
import { periodAt } from './working-hours.js';

const schedule = (over: Partial<Schedule> = {}): Schedule => ({ timeZone: 'GMT-03:00', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: [], ...over });
const at = (iso: string): Date => new Date(iso);
const utcSchedule = (rules: ScheduleRule[], closures: string[] = []): Schedule => ({ timeZone: 'UTC', rules, closures });

// Calendar used below (2026): Mon 23 Nov, Tue 24 Nov, Fri 27 Nov, Sat 28 Nov, Sun 29 Nov, Mon 30 Nov.

describe('C4/R1 working hours', () => {
  it('R1 a weekday 08:00–18:00 rule in GMT-03:00 is open at 08:00 local and closed at 18:00 local', () => {
    // 2026-11-24 is a Tuesday. 08:00 at GMT-03:00 is 11:00Z.
    expect(periodAt(schedule(), new Date('2026-11-24T11:00:00Z'))).toBe('working_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T10:59:59Z'))).toBe('out_of_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T20:59:59Z'))).toBe('working_hours');
    expect(periodAt(schedule(), new Date('2026-11-24T21:00:00Z'))).toBe('out_of_hours');
  });

  describe('which days a rule covers', () => {
    it('C4 weekdays covers Monday to Friday and not Saturday or Sunday', () => {
      const s = utcSchedule([{ days: 'weekdays', from: '08:00', to: '18:00' }]);
      expect(periodAt(s, at('2026-11-23T12:00:00Z'))).toBe('working_hours'); // Monday
      expect(periodAt(s, at('2026-11-27T12:00:00Z'))).toBe('working_hours'); // Friday
      expect(periodAt(s, at('2026-11-28T12:00:00Z'))).toBe('out_of_hours'); // Saturday
      expect(periodAt(s, at('2026-11-29T12:00:00Z'))).toBe('out_of_hours'); // Sunday
    });

    it('C4 weekends covers Saturday and Sunday and not Monday or Friday', () => {
      const s = utcSchedule([{ days: 'weekends', from: '08:00', to: '18:00' }]);
      expect(periodAt(s, at('2026-11-28T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-29T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-27T12:00:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-30T12:00:00Z'))).toBe('out_of_hours');
    });

    it('C4 everyday covers every day of the week', () => {
      const s = utcSchedule([{ days: 'everyday', from: '08:00', to: '18:00' }]);
      for (let day = 23; day <= 29; day++) {
        expect(periodAt(s, at(`2026-11-${day}T12:00:00Z`))).toBe('working_hours');
        expect(periodAt(s, at(`2026-11-${day}T19:00:00Z`))).toBe('out_of_hours');
      }
    });

    it.each([
      ['monday', 23],
      ['tuesday', 24],
      ['wednesday', 25],
      ['thursday', 26],
      ['friday', 27],
      ['saturday', 28],
      ['sunday', 29],
    ] as const)('C4 the named day %s covers that day only', (name, day) => {
      const s = utcSchedule([{ days: name, from: '08:00', to: '18:00' }]);
      for (let d = 23; d <= 29; d++) {
        expect(periodAt(s, at(`2026-11-${d}T12:00:00Z`))).toBe(d === day ? 'working_hours' : 'out_of_hours');
      }
    });
  });

  describe('times', () => {
    it('C4 `to` is exclusive and `from` inclusive: 08:00–18:00 is open at 08:00 and 17:59, closed at 07:59 and 18:00', () => {
      const s = utcSchedule([{ days: 'everyday', from: '08:00', to: '18:00' }]);
      expect(periodAt(s, at('2026-11-24T07:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T08:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T17:59:59Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T18:00:00Z'))).toBe('out_of_hours');
    });

    it('C4 several overlapping rules: working hours when any rule covers the time', () => {
      const s = utcSchedule([
        { days: 'weekdays', from: '08:00', to: '12:00' },
        { days: 'weekdays', from: '10:00', to: '14:00' },
        { days: 'tuesday', from: '16:00', to: '17:00' },
      ]);
      expect(periodAt(s, at('2026-11-24T09:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T11:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T13:59:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T14:00:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T16:30:00Z'))).toBe('working_hours'); // Tuesday only
      expect(periodAt(s, at('2026-11-25T16:30:00Z'))).toBe('out_of_hours'); // Wednesday
    });

    it('C4 `to` earlier than `from` runs past midnight and belongs to the day it starts on: friday 22:00–02:00 is open Saturday 01:00, not Friday 01:00', () => {
      const s = utcSchedule([{ days: 'friday', from: '22:00', to: '02:00' }]);
      expect(periodAt(s, at('2026-11-27T01:00:00Z'))).toBe('out_of_hours'); // Friday 01:00 (belongs to Thursday)
      expect(periodAt(s, at('2026-11-27T21:59:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-27T22:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-27T23:59:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-28T00:00:00Z'))).toBe('working_hours'); // Saturday 00:00
      expect(periodAt(s, at('2026-11-28T01:00:00Z'))).toBe('working_hours'); // Saturday 01:00
      expect(periodAt(s, at('2026-11-28T01:59:59Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-28T02:00:00Z'))).toBe('out_of_hours'); // `to` is exclusive
      expect(periodAt(s, at('2026-11-28T22:00:00Z'))).toBe('out_of_hours'); // Saturday evening: not a Friday
    });

    it('C4 a weekdays range past midnight covers Saturday early morning (started Friday) but not Monday early morning (started Sunday)', () => {
      const s = utcSchedule([{ days: 'weekdays', from: '20:00', to: '04:00' }]);
      expect(periodAt(s, at('2026-11-28T03:00:00Z'))).toBe('working_hours'); // Saturday 03:00
      expect(periodAt(s, at('2026-11-30T03:00:00Z'))).toBe('out_of_hours'); // Monday 03:00
      expect(periodAt(s, at('2026-11-28T21:00:00Z'))).toBe('out_of_hours'); // Saturday 21:00
    });

    it('C4 a range ending at 00:00 runs to the end of its day: 18:00–00:00 is open at 23:59 and closed at 00:00', () => {
      const s = utcSchedule([{ days: 'tuesday', from: '18:00', to: '00:00' }]);
      expect(periodAt(s, at('2026-11-24T23:59:59Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-25T00:00:00Z'))).toBe('out_of_hours');
    });
  });

  describe('closures', () => {
    it('C4 a closure date is out of hours all day', () => {
      const s = utcSchedule([{ days: 'everyday', from: '00:00', to: '23:59' }], ['2026-11-24']);
      expect(periodAt(s, at('2026-11-24T00:00:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T12:00:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T23:30:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-23T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-25T12:00:00Z'))).toBe('working_hours');
    });

    it('C4 a closure date is read in the schedule zone: 2026-11-24 at GMT-03:00 is 03:00Z on the 24th to 03:00Z on the 25th', () => {
      const s = schedule({ rules: [{ days: 'everyday', from: '00:00', to: '00:00' }], closures: ['2026-11-24'] });
      expect(periodAt(s, at('2026-11-24T02:59:00Z'))).toBe('working_hours'); // 23:59 on the 23rd locally
      expect(periodAt(s, at('2026-11-24T03:00:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-25T02:59:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-25T03:00:00Z'))).toBe('working_hours');
    });

    it('C4 a past-midnight range that started on a closure day is closed after midnight too', () => {
      const s = utcSchedule([{ days: 'everyday', from: '22:00', to: '02:00' }], ['2026-11-27']);
      expect(periodAt(s, at('2026-11-27T23:00:00Z'))).toBe('out_of_hours'); // Friday (closed) 23:00
      expect(periodAt(s, at('2026-11-28T01:00:00Z'))).toBe('out_of_hours'); // Saturday 01:00, started Friday
      expect(periodAt(s, at('2026-11-28T23:00:00Z'))).toBe('working_hours'); // Saturday's own range
      expect(periodAt(s, at('2026-11-27T01:00:00Z'))).toBe('out_of_hours'); // the closure day itself, though Thursday's range runs into it
      expect(periodAt(s, at('2026-11-26T01:00:00Z'))).toBe('working_hours'); // control: Thursday 01:00, started Wednesday
    });
  });

  describe('when the schedule has no rules', () => {
    it('C4 it is always working hours', () => {
      const s = schedule({ rules: [] });
      expect(periodAt(s, at('2026-11-24T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-28T03:00:00Z'))).toBe('working_hours');
      expect(periodAt(utcSchedule([]), at('2030-01-01T00:00:00Z'))).toBe('working_hours');
    });
  });

  describe('time zones', () => {
    it('C4 an IANA zone: America/Sao_Paulo 08:00–18:00 opens at 11:00Z', () => {
      const s = schedule({ timeZone: 'America/Sao_Paulo' });
      expect(periodAt(s, at('2026-11-24T10:59:00Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T11:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T21:00:00Z'))).toBe('out_of_hours');
    });

    it('C4 an IANA zone decides the local weekday: Tuesday 20:00 in New York is Wednesday 01:00Z', () => {
      const s = { timeZone: 'America/New_York', rules: [{ days: 'tuesday' as const, from: '19:00', to: '21:00' }], closures: [] };
      expect(periodAt(s, at('2026-11-25T01:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T01:00:00Z'))).toBe('out_of_hours'); // Monday 20:00 in New York
    });

    it('C4 a fixed offset GMT+05:30: 08:00 local is 02:30Z', () => {
      const s = schedule({ timeZone: 'GMT+05:30' });
      expect(periodAt(s, at('2026-11-24T02:29:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-11-24T02:30:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T12:29:59Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T12:30:00Z'))).toBe('out_of_hours');
    });

    it('C4 a fixed offset moves the local weekday: Monday 20:00Z is Tuesday 01:30 at GMT+05:30', () => {
      const s = schedule({ timeZone: 'GMT+05:30', rules: [{ days: 'tuesday', from: '01:00', to: '02:00' }] });
      expect(periodAt(s, at('2026-11-23T20:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-24T20:00:00Z'))).toBe('out_of_hours'); // Wednesday 01:30
    });

    it('C4 an unknown zone throws a RangeError', () => {
      expect(() => periodAt(schedule({ timeZone: 'Mars/Olympus_Mons' }), at('2026-11-24T12:00:00Z'))).toThrow(RangeError);
      expect(() => periodAt(schedule({ timeZone: 'GMT+25:00' }), at('2026-11-24T12:00:00Z'))).toThrow(RangeError);
      expect(() => periodAt(schedule({ timeZone: 'nonsense' }), at('2026-11-24T12:00:00Z'))).toThrow(RangeError);
    });
  });

  describe('when an administrator overrides the schedule', () => {
    const inHours = at('2026-11-24T12:00:00Z'); // Tuesday 09:00 at GMT-03:00
    const outOfHours = at('2026-11-24T23:00:00Z'); // Tuesday 20:00 at GMT-03:00

    it('R1 a closed override without `until` makes working hours out of hours', () => {
      expect(periodAt(schedule(), inHours, { mode: 'closed' })).toBe('out_of_hours');
    });

    it('R1 an open override without `until` makes out of hours working hours', () => {
      expect(periodAt(schedule(), outOfHours, { mode: 'open' })).toBe('working_hours');
    });

    it('R1 an override applies before its `until` and not from it on', () => {
      const until = '2026-11-24T12:00:00.000Z';
      expect(periodAt(schedule(), at('2026-11-24T11:59:59Z'), { mode: 'closed', until })).toBe('out_of_hours');
      expect(periodAt(schedule(), at('2026-11-24T12:00:00Z'), { mode: 'closed', until })).toBe('working_hours');
    });

    it('R1 an expired override is ignored: the schedule decides', () => {
      const until = '2026-11-01T00:00:00Z';
      expect(periodAt(schedule(), inHours, { mode: 'closed', until })).toBe('working_hours');
      expect(periodAt(schedule(), outOfHours, { mode: 'open', until })).toBe('out_of_hours');
    });

    it('R1 an active open override beats a closure', () => {
      const s = schedule({ closures: ['2026-11-24'] });
      expect(periodAt(s, inHours)).toBe('out_of_hours');
      expect(periodAt(s, inHours, { mode: 'open', until: '2026-11-25T00:00:00Z' })).toBe('working_hours');
    });
  });
});
