import type { Override, Schedule } from '@kite/contracts';
import { periodAt, resolveTimeZone, type Period } from '@kite/domain';
import { formatInTimeZone } from 'date-fns-tz';

const SLOT_MINUTES = 15;
const SLOT_MS = SLOT_MINUTES * 60_000;

/** A run of one period on one local day: from and to in minutes of that day. */
export interface Stretch {
  from: number;
  to: number;
  period: Period;
}

export interface WeekDay {
  date: string;
  label: string;
  closed: boolean;
  stretches: Stretch[];
}

/** The Monday of the week that holds `date` (YYYY-MM-DD). */
export function mondayOf(date: string): string {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/**
 * R1, C4: the week from `monday` in the schedule's zone, quarter hour by quarter hour, by the same
 * function routing uses (`periodAt`): what a picture of working hours shows. Instants are walked in
 * UTC and placed by their local date and time, so a DST change shows as it happens (a skipped hour
 * is absent, a repeated one counts once).
 */
export function weekOf(schedule: Schedule, monday: string, override?: Override): WeekDay[] {
  const zone = resolveTimeZone(schedule.timeZone) ?? 'UTC';
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = new Date(`${monday}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + i);
    return d.toISOString().slice(0, 10);
  });
  const week = new Map(days.map((date) => [date, { date, label: formatInTimeZone(new Date(`${date}T12:00:00Z`), 'UTC', 'EEE d MMM'), closed: (schedule.closures ?? []).includes(date), stretches: [] as Stretch[] }]));
  const start = Date.parse(`${monday}T00:00:00Z`) - 15 * 3_600_000;
  const end = start + 8 * 86_400_000 + 30 * 3_600_000;
  for (let at = start; at < end; at += SLOT_MS) {
    const instant = new Date(at);
    const day = week.get(formatInTimeZone(instant, zone, 'yyyy-MM-dd'));
    if (!day) continue;
    const [h, m] = formatInTimeZone(instant, zone, 'HH:mm').split(':').map(Number);
    const minute = h! * 60 + m!;
    const period = periodAt(schedule, instant, override);
    const last = day.stretches.at(-1);
    if (last && last.period === period && last.to === minute) last.to = minute + SLOT_MINUTES;
    else if (!day.stretches.some((s) => s.from === minute)) day.stretches.push({ from: minute, to: minute + SLOT_MINUTES, period });
  }
  return [...week.values()];
}
