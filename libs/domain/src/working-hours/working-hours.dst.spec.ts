import { describe, expect, it } from '@jest/globals';
import type { Schedule, ScheduleRule } from '@kite/contracts';
import fc from 'fast-check';
import { periodAt } from './working-hours.js';

const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata'] as const;

const everyday = (timeZone: string, from: string, to: string): Schedule => ({ timeZone, rules: [{ days: 'everyday', from, to }], closures: [] });
const within = (timeZone: string, rules: ScheduleRule[]): Schedule => ({ timeZone, rules, closures: [] });
const at = (iso: string): Date => new Date(iso);

/** The local wall clock `HH:mm` of an instant in a zone, formatted by Intl directly (apart from the code under test). */
function localHHmm(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

describe('R1 the period follows the local wall clock of the schedule zone (property)', () => {
  it.each(ZONES)('R1 in %s, everyday 08:00–18:00 is working hours exactly when the local clock is in [08:00, 18:00)', (zone) => {
    const s = everyday(zone, '08:00', '18:00');
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }), (instant) => {
        const local = localHHmm(instant, zone);
        const expected = local >= '08:00' && local < '18:00' ? 'working_hours' : 'out_of_hours';
        expect(periodAt(s, instant)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('R1 any same-day rule from < to, at instants near the 2026 DST transitions, is working hours exactly when the local clock is in [from, to)', () => {
    const transitions = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-04-04T16:00:00Z', '2026-10-03T16:00:00Z'].map((t) => Date.parse(t));
    const nearTransition = fc
      .tuple(fc.constantFrom(...transitions), fc.integer({ min: -36 * 3600, max: 36 * 3600 }))
      .map(([t, seconds]) => new Date(t + seconds * 1000));
    const hhmm = fc.integer({ min: 0, max: 23 * 60 + 59 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    const range = fc.tuple(hhmm, hhmm).filter(([a, b]) => a < b);
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), range, nearTransition, (zone, [from, to], instant) => {
        const local = localHHmm(instant, zone);
        const expected = local >= from && local < to ? 'working_hours' : 'out_of_hours';
        expect(periodAt(everyday(zone, from, to), instant)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('R1 a fixed offset GMT±hh:00 gives every schedule the period of the IANA zone of that offset (Etc/GMT∓h), weekdays, nights and closures included', () => {
    const hhmm = fc.integer({ min: 0, max: 23 * 4 + 3 }).map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
    const days = fc.constantFrom('everyday', 'weekdays', 'weekends', 'monday', 'wednesday', 'saturday', 'sunday') as fc.Arbitrary<ScheduleRule['days']>;
    const rules = fc.array(fc.record({ days, from: hhmm, to: hhmm }), { minLength: 1, maxLength: 3 });
    const instant = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('9998-12-30T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(fc.integer({ min: -12, max: 14 }), rules, instant, fc.boolean(), (hours, rules, instant, closed) => {
        const offset = `GMT${hours < 0 ? '-' : '+'}${String(Math.abs(hours)).padStart(2, '0')}:00`;
        const iana = hours === 0 ? 'UTC' : `Etc/GMT${hours < 0 ? '+' : '-'}${Math.abs(hours)}`;
        const closures = closed ? [new Date(instant.getTime() + hours * 3_600_000).toISOString().slice(0, 10)] : [];
        expect(periodAt({ timeZone: offset, rules, closures }, instant)).toBe(periodAt({ timeZone: iana, rules, closures }, instant));
      }),
      { numRuns: 2000 },
    );
  });

  it('R1 the independent wall clock helper itself is right (a guard for the property above)', () => {
    expect(localHHmm(at('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('08:00');
    expect(localHHmm(at('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe('17:30');
  });
});

describe('R1 DST transitions of 2026 follow the zone rules', () => {
  describe('America/New_York, spring forward on Sunday 2026-03-08 (01:59 EST → 03:00 EDT at 07:00Z)', () => {
    it('R1 08:00–18:00 opens at 13:00Z the day before (EST) and at 12:00Z the day after (EDT)', () => {
      const s = everyday('America/New_York', '08:00', '18:00');
      expect(periodAt(s, at('2026-03-07T12:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-03-07T13:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-03-09T11:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-03-09T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-03-09T21:59:59Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-03-09T22:00:00Z'))).toBe('out_of_hours');
    });

    it('R1 a rule starting at the nonexistent 02:30: the wall clock jumps from 01:59 to 03:00, so 02:30–04:00 is closed at 01:59 EST and open from 03:00 EDT until 04:00 EDT', () => {
      const s = everyday('America/New_York', '02:30', '04:00');
      expect(periodAt(s, at('2026-03-08T06:59:59Z'))).toBe('out_of_hours'); // 01:59:59 EST
      expect(periodAt(s, at('2026-03-08T07:00:00Z'))).toBe('working_hours'); // 03:00 EDT
      expect(periodAt(s, at('2026-03-08T07:59:59Z'))).toBe('working_hours'); // 03:59 EDT
      expect(periodAt(s, at('2026-03-08T08:00:00Z'))).toBe('out_of_hours'); // 04:00 EDT
    });

    it('R1 a rule lying wholly in the skipped hour (02:00–03:00) is never open that day', () => {
      const s = everyday('America/New_York', '02:00', '03:00');
      expect(periodAt(s, at('2026-03-08T06:59:59Z'))).toBe('out_of_hours'); // 01:59:59 EST
      expect(periodAt(s, at('2026-03-08T07:00:00Z'))).toBe('out_of_hours'); // 03:00 EDT
      expect(periodAt(s, at('2026-03-09T06:30:00Z'))).toBe('working_hours'); // control: Monday 02:30 EDT
    });
  });

  describe('America/New_York, fall back on Sunday 2026-11-01 (01:59 EDT → 01:00 EST at 06:00Z)', () => {
    it('R1 a repeated local hour is evaluated the same both times: 01:00–02:00 is open for two real hours', () => {
      const s = everyday('America/New_York', '01:00', '02:00');
      expect(periodAt(s, at('2026-11-01T04:59:59Z'))).toBe('out_of_hours'); // 00:59 EDT
      expect(periodAt(s, at('2026-11-01T05:00:00Z'))).toBe('working_hours'); // 01:00 EDT
      expect(periodAt(s, at('2026-11-01T05:59:59Z'))).toBe('working_hours'); // 01:59 EDT
      expect(periodAt(s, at('2026-11-01T06:00:00Z'))).toBe('working_hours'); // 01:00 EST
      expect(periodAt(s, at('2026-11-01T06:59:59Z'))).toBe('working_hours'); // 01:59 EST
      expect(periodAt(s, at('2026-11-01T07:00:00Z'))).toBe('out_of_hours'); // 02:00 EST
    });

    it('R1 08:00–18:00 opens at 12:00Z the day before (EDT) and at 13:00Z the day after (EST)', () => {
      const s = everyday('America/New_York', '08:00', '18:00');
      expect(periodAt(s, at('2026-10-31T12:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-11-02T12:00:00Z'))).toBe('out_of_hours'); // 07:00 EST
      expect(periodAt(s, at('2026-11-02T13:00:00Z'))).toBe('working_hours');
    });
  });

  describe('Europe/Berlin, spring forward on Sunday 2026-03-29 (01:59 CET → 03:00 CEST at 01:00Z)', () => {
    it('R1 instants just before and after the jump: 03:00–04:00 is closed at 01:59 CET and open at 03:00 CEST', () => {
      const s = everyday('Europe/Berlin', '03:00', '04:00');
      expect(periodAt(s, at('2026-03-29T00:59:59Z'))).toBe('out_of_hours'); // 01:59:59 CET
      expect(periodAt(s, at('2026-03-29T01:00:00Z'))).toBe('working_hours'); // 03:00 CEST
      expect(periodAt(s, at('2026-03-29T02:00:00Z'))).toBe('out_of_hours'); // 04:00 CEST
    });

    it('R1 a rule starting at the nonexistent 02:30 (02:30–05:00) is open from 03:00 CEST', () => {
      const s = everyday('Europe/Berlin', '02:30', '05:00');
      expect(periodAt(s, at('2026-03-29T00:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-03-29T01:00:00Z'))).toBe('working_hours');
    });

    it('R1 a weekday rule 08:00–18:00 opens at 07:00Z on Friday before and at 06:00Z on Monday after', () => {
      const s = within('Europe/Berlin', [{ days: 'weekdays', from: '08:00', to: '18:00' }]);
      expect(periodAt(s, at('2026-03-27T06:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-03-27T07:00:00Z'))).toBe('working_hours');
      expect(periodAt(s, at('2026-03-30T05:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-03-30T06:00:00Z'))).toBe('working_hours');
    });
  });

  describe('Europe/Berlin, fall back on Sunday 2026-10-25 (02:59 CEST → 02:00 CET at 01:00Z)', () => {
    it('R1 the repeated hour 02:00–03:00 is open both times and closed at 03:00 CET', () => {
      const s = everyday('Europe/Berlin', '02:00', '03:00');
      expect(periodAt(s, at('2026-10-24T23:59:59Z'))).toBe('out_of_hours'); // 01:59 CEST
      expect(periodAt(s, at('2026-10-25T00:00:00Z'))).toBe('working_hours'); // 02:00 CEST
      expect(periodAt(s, at('2026-10-25T00:59:59Z'))).toBe('working_hours'); // 02:59 CEST
      expect(periodAt(s, at('2026-10-25T01:00:00Z'))).toBe('working_hours'); // 02:00 CET
      expect(periodAt(s, at('2026-10-25T01:59:59Z'))).toBe('working_hours'); // 02:59 CET
      expect(periodAt(s, at('2026-10-25T02:00:00Z'))).toBe('out_of_hours'); // 03:00 CET
    });
  });

  describe('Australia/Sydney, fall back on Sunday 2026-04-05 (02:59 AEDT → 02:00 AEST at 16:00Z on the 4th)', () => {
    it('R1 the repeated hour 02:00–03:00 is open both times and closed at 03:00 AEST', () => {
      const s = everyday('Australia/Sydney', '02:00', '03:00');
      expect(periodAt(s, at('2026-04-04T14:59:59Z'))).toBe('out_of_hours'); // 01:59 AEDT
      expect(periodAt(s, at('2026-04-04T15:00:00Z'))).toBe('working_hours'); // 02:00 AEDT
      expect(periodAt(s, at('2026-04-04T15:59:59Z'))).toBe('working_hours'); // 02:59 AEDT
      expect(periodAt(s, at('2026-04-04T16:00:00Z'))).toBe('working_hours'); // 02:00 AEST
      expect(periodAt(s, at('2026-04-04T17:00:00Z'))).toBe('out_of_hours'); // 03:00 AEST
    });

    it('R1 a Sunday rule 08:00–18:00 opens at 22:00Z on Saturday (AEST, +10)', () => {
      const s = within('Australia/Sydney', [{ days: 'sunday', from: '08:00', to: '18:00' }]);
      expect(periodAt(s, at('2026-04-04T21:59:59Z'))).toBe('out_of_hours');
      expect(periodAt(s, at('2026-04-04T22:00:00Z'))).toBe('working_hours');
    });
  });

  describe('Australia/Sydney, spring forward on Sunday 2026-10-04 (01:59 AEST → 03:00 AEDT at 16:00Z on the 3rd)', () => {
    it('R1 a rule starting at the nonexistent 02:30: the wall clock jumps from 01:59 to 03:00, so 02:30–04:00 is open from 03:00 AEDT', () => {
      const s = everyday('Australia/Sydney', '02:30', '04:00');
      expect(periodAt(s, at('2026-10-03T15:59:59Z'))).toBe('out_of_hours'); // 01:59:59 AEST
      expect(periodAt(s, at('2026-10-03T16:00:00Z'))).toBe('working_hours'); // 03:00 AEDT
      expect(periodAt(s, at('2026-10-03T17:00:00Z'))).toBe('out_of_hours'); // 04:00 AEDT
    });
  });

  describe('Asia/Kolkata has no DST', () => {
    it('R1 08:00–18:00 opens at 02:30Z in January and in July alike', () => {
      const s = everyday('Asia/Kolkata', '08:00', '18:00');
      for (const day of ['2026-01-15', '2026-07-15']) {
        expect(periodAt(s, at(`${day}T02:29:59Z`))).toBe('out_of_hours');
        expect(periodAt(s, at(`${day}T02:30:00Z`))).toBe('working_hours');
        expect(periodAt(s, at(`${day}T12:30:00Z`))).toBe('out_of_hours');
      }
    });
  });
});
