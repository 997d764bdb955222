import type { Override, Schedule, ScheduleDays, ScheduleRule } from '@kite/contracts';
import { resolveTimeZone } from './time-zone.js';

export type Period = 'working_hours' | 'out_of_hours';

export type { Override } from '@kite/contracts';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
const NAMED_DAY: Record<string, IsoWeekday> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };

function coversWeekday(days: ScheduleDays, weekday: IsoWeekday): boolean {
  switch (days) {
    case 'everyday':
      return true;
    case 'weekdays':
      return weekday <= 5;
    case 'weekends':
      return weekday >= 6;
    default:
      return NAMED_DAY[days] === weekday;
  }
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The local wall clock of an instant in a zone: its date, weekday and minute of the day. */
interface WallClock {
  date: string;
  weekday: IsoWeekday;
  minute: number;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const SHORT_WEEKDAY: Record<string, IsoWeekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
/** One formatter per zone: making one costs far more than using it. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `zone` as `resolveTimeZone` gives it: a fixed offset (`-03:00`) by arithmetic, an IANA zone by `Intl`. */
function wallClockAt(instant: Date, zone: string): WallClock {
  const offset = OFFSET.exec(zone);
  if (offset) {
    const [, sign, hours, minutes] = offset;
    const local = new Date(instant.getTime() + (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000);
    return { date: local.toISOString().slice(0, 10), weekday: (local.getUTCDay() || 7) as IsoWeekday, minute: local.getUTCHours() * 60 + local.getUTCMinutes() };
  }
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(zone, format);
  }
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of format.formatToParts(instant)) part[type] = value;
  return { date: `${part.year}-${part.month}-${part.day}`, weekday: SHORT_WEEKDAY[part.weekday!]!, minute: Number(part.hour) * 60 + Number(part.minute) };
}

function previousDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Whether a rule covers the wall clock. A range whose `to` is earlier than `from` runs past midnight
 * and belongs to the day it starts on; `from` equal to `to` is a whole 24 hours from `from`.
 * `to` itself is not covered (08:00–18:00 is closed at 18:00).
 */
function ruleCovers(rule: ScheduleRule, clock: WallClock, closures: ReadonlySet<string>): boolean {
  const from = minutesOf(rule.from);
  const to = minutesOf(rule.to);
  if (from < to) return coversWeekday(rule.days, clock.weekday) && clock.minute >= from && clock.minute < to;
  if (clock.minute >= from && coversWeekday(rule.days, clock.weekday)) return true;
  const dayBefore = (((clock.weekday + 5) % 7) + 1) as IsoWeekday;
  return clock.minute < to && coversWeekday(rule.days, dayBefore) && !closures.has(previousDate(clock.date));
}

/**
 * R1: the period at an instant. Working hours when a rule covers the local wall clock in the
 * schedule's zone and the local date is not a closure; an active override beats the schedule.
 * Wall-clock evaluation makes DST follow the zone: a skipped local time never happens, a repeated
 * one is evaluated the same both times. A schedule with no rules is always working hours (C4).
 */
export function periodAt(schedule: Schedule, instant: Date, override?: Override): Period {
  if (override && (override.until === undefined || instant.getTime() < Date.parse(override.until))) {
    return override.mode === 'open' ? 'working_hours' : 'out_of_hours';
  }
  if (schedule.rules.length === 0) return 'working_hours';
  const zone = resolveTimeZone(schedule.timeZone);
  if (zone === undefined) throw new RangeError(`unknown time zone ${JSON.stringify(schedule.timeZone)}`);
  const clock = wallClockAt(instant, zone);
  const closures = new Set(schedule.closures);
  if (closures.has(clock.date)) return 'out_of_hours';
  return schedule.rules.some((rule) => ruleCovers(rule, clock, closures)) ? 'working_hours' : 'out_of_hours';
}
