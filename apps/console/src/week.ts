import type { Override, Schedule } from '@kite/contracts';
import { resolveTimeZone } from '@kite/domain/working-hours/time-zone.js';
import { periodAt, type Period } from '@kite/domain/working-hours/working-hours.js';
import { formatInTimeZone } from 'date-fns-tz';

const STEP_MS = 15 * 60_000;
const DAY_MINUTES = 1440;

/** A run of one period on one local day: from and to in minutes of that day. */
export interface Stretch {
  from: number;
  to: number;
  period: Period;
}

export interface WeekDay {
  date: string;
  label: string;
  /** C4: a closure that closes the whole day (a schedule without rules uses none; an `open` override beats it). */
  closed: boolean;
  stretches: Stretch[];
}

/** The Monday of the week that holds `date` (YYYY-MM-DD). */
export function mondayOf(date: string): string {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

interface Sample {
  at: number;
  date: string;
  minute: number;
}

/**
 * R1, C4: the week from `monday` in the schedule's zone, drawn by the function routing uses
 * (`periodAt`). Instants are walked in UTC every quarter hour, and also at every minute where a
 * period can change (a rule's start or end, the override's end), and placed by their local date
 * and time: a local time the clocks skip is absent, one they repeat is drawn once.
 */
export function weekOf(schedule: Schedule, monday: string, override?: Override): WeekDay[] {
  const zone = resolveTimeZone(schedule.timeZone) ?? 'UTC';
  const local = (at: number) => {
    const [date, time] = formatInTimeZone(new Date(at), zone, 'yyyy-MM-dd HH:mm').split(' ');
    return { at, date: date!, minute: minuteOf(time!) };
  };
  const boundaries = new Set(schedule.rules.flatMap((r) => [minuteOf(r.from), minuteOf(r.to)]));
  if (override?.until) boundaries.add(local(Date.parse(override.until)).minute);
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = new Date(`${monday}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + i);
    return d.toISOString().slice(0, 10);
  });
  const wanted = new Set(days);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const keep = (s: Sample) => {
    if (!wanted.has(s.date) || seen.has(`${s.date} ${s.minute}`)) return;
    seen.add(`${s.date} ${s.minute}`);
    samples.push(s);
  };
  const start = Date.parse(`${monday}T00:00:00Z`) - 15 * 3_600_000;
  for (let at = start; at < start + 8 * 86_400_000 + 30 * 3_600_000; at += STEP_MS) {
    const first = local(at);
    keep(first);
    for (let m = 1; m < 15; m++) if (boundaries.has((first.minute + m) % DAY_MINUTES)) keep(local(at + m * 60_000));
  }
  samples.sort((a, b) => a.at - b.at);
  const week = days.map((date) => ({ date, label: formatInTimeZone(new Date(`${date}T12:00:00Z`), 'UTC', 'EEE d MMM'), closed: false, stretches: [] as Stretch[] }));
  const byDate = new Map(week.map((d) => [d.date, d]));
  samples.forEach((s, i) => {
    const next = samples[i + 1];
    // A sample lasts until the next one, in real minutes: across a skipped hour, not over it.
    const lasts = next ? Math.min((next.at - s.at) / 60_000, next.date === s.date ? next.minute - s.minute : DAY_MINUTES - s.minute) : DAY_MINUTES - s.minute;
    const day = byDate.get(s.date)!;
    const period = periodAt(schedule, new Date(s.at), override);
    const last = day.stretches.at(-1);
    if (last && last.period === period && last.to === s.minute) last.to = Math.min(DAY_MINUTES, s.minute + lasts);
    else day.stretches.push({ from: s.minute, to: Math.min(DAY_MINUTES, s.minute + lasts), period });
  });
  for (const day of week) day.closed = schedule.rules.length > 0 && (schedule.closures ?? []).includes(day.date) && !day.stretches.some((s) => s.period === 'working_hours');
  return week;
}
