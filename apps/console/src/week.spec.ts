import { describe, expect, it } from '@jest/globals';
import type { Schedule } from '@kite/contracts';
import { mondayOf, weekOf } from './week.js';

const weekdays: Schedule = { timeZone: 'Europe/Berlin', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: ['2026-03-25'] };
const open = (day: { stretches: { from: number; to: number; period: string }[] }) => day.stretches.filter((s) => s.period === 'working_hours').map((s) => [s.from, s.to]);
const covered = (day: { stretches: { from: number; to: number }[] }) => day.stretches.reduce((sum, s) => sum + s.to - s.from, 0);

describe('R1 C4 the week view draws what routing decides', () => {
  it('the Monday of any date', () => {
    expect(mondayOf('2026-03-29')).toBe('2026-03-23');
    expect(mondayOf('2026-03-23')).toBe('2026-03-23');
  });

  it('R1 weekdays 08:00–18:00 in Berlin are open Monday to Friday, in local time, and a closure is out of hours all day', () => {
    const week = weekOf(weekdays, '2026-03-23');
    expect(week.map((d) => d.date)).toEqual(['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    expect(open(week[0]!)).toEqual([[480, 1080]]);
    expect(week[2]!.closed).toBe(true);
    expect(open(week[2]!)).toEqual([]);
    expect(open(week[5]!)).toEqual([]);
  });

  it('R1 the day the clocks go forward has no 02:00–03:00: 23 hours drawn', () => {
    const sunday = weekOf(weekdays, '2026-03-23')[6]!;
    expect(covered(sunday)).toBe(23 * 60);
    expect(sunday.stretches.some((s) => s.from <= 120 && s.to > 120)).toBe(false);
  });

  it('R1 the day the clocks go back draws its repeated hour once: 24 hours, nothing drawn twice', () => {
    const nights: Schedule = { timeZone: 'Europe/Berlin', rules: [{ days: 'everyday', from: '22:00', to: '06:00' }], closures: [] };
    const sunday = weekOf(nights, '2026-10-19')[6]!;
    expect(sunday.date).toBe('2026-10-25');
    expect(covered(sunday)).toBe(24 * 60);
    expect(open(sunday)).toEqual([[0, 360], [1320, 1440]]);
  });

  it('R1 a rule that starts or ends off the quarter hour is drawn to the minute', () => {
    const odd: Schedule = { timeZone: 'UTC', rules: [{ days: 'weekdays', from: '08:10', to: '17:50' }], closures: [] };
    expect(open(weekOf(odd, '2026-11-23')[0]!)).toEqual([[490, 1070]]);
  });

  it('C4 without rules a closure closes nothing (always working hours), and is not said to', () => {
    const always: Schedule = { timeZone: 'UTC', rules: [], closures: ['2026-11-25'] };
    const wednesday = weekOf(always, '2026-11-23')[2]!;
    expect([wednesday.closed, open(wednesday)]).toEqual([false, [[0, 1440]]]);
  });

  it('C4 a range past midnight is drawn on both days; R1 an override in force closes what it covers', () => {
    const night: Schedule = { timeZone: 'UTC', rules: [{ days: 'saturday', from: '22:00', to: '02:00' }], closures: [] };
    const week = weekOf(night, '2026-11-23');
    expect(open(week[5]!)).toEqual([[1320, 1440]]);
    expect(open(week[6]!)).toEqual([[0, 120]]);
    const closed = weekOf(weekdays, '2026-03-23', { mode: 'closed', until: '2026-03-24T00:00:00Z' });
    expect(open(closed[0]!)).toEqual([]);
    expect(open(closed[1]!)).toEqual([[480, 1080]]);
  });
});
