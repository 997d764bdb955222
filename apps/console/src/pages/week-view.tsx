import { useEffect, useMemo, useState } from 'react';
import type { Api, NumberView, Simulation } from '../api.js';
import { mondayOf, weekOf } from '../week.js';
import { routingText } from '../labels.js';
import type { DirectoryView } from '../api.js';

const W = 760;
const H = 420;
const LEFT = 90;
const TOP = 24;
const ROW = (H - TOP) / 7;
const x = (minute: number) => LEFT + ((W - LEFT - 24) * minute) / 1440;

/** R1, C4: a picture of a number's week in its time zone, with its closures and override; and "what happens at …" (C1's simulate). */
export function WeekView({ api, number }: { api: Api; number: string }) {
  const [view, setView] = useState<NumberView>();
  const [directory, setDirectory] = useState<DirectoryView>();
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  // datetime-local reads the browser's local time: the default is now, in it.
  const [at, setAt] = useState(() => new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
  const [simulation, setSimulation] = useState<Simulation>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    Promise.all([api.number(number), api.directory()])
      .then(([v, d]) => (setView(v), setDirectory(d)))
      .catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  }, [api, number]);
  const schedule = view?.configuration?.workingHours.schedule;
  const week = useMemo(() => (schedule ? weekOf(schedule, mondayOf(date), view?.override) : []), [schedule, date, view?.override]);
  if (failure) return <p role="alert">{failure}</p>;
  if (!view || !directory) return <p>Loading {number}…</p>;
  if (!schedule) return <p>{number} has no configuration yet: no working hours to show.</p>;
  const override = view.override ? `The emergency override (${view.override.mode}${view.override.until ? ` until ${new Date(view.override.until).toLocaleString()}` : ' until cleared'}) is drawn where it is in force. ` : '';
  return (
    <section>
      <h2>{number}: the week</h2>
      <p>
        In {schedule.timeZone}. <a href={`#/numbers/${encodeURIComponent(number)}`}>Back to the number</a>
      </p>
      {view.override && (
        <p className="notice">
          Emergency override: {view.override.mode}
          {view.override.until ? ` until ${new Date(view.override.until).toLocaleString()}` : ' until cleared'}. The picture shows it where it is in force.
        </p>
      )}
      <label htmlFor="week-of">Week of</label> <input id="week-of" type="date" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} />
      <svg role="img" aria-labelledby="week-title" aria-describedby="week-desc" viewBox={`0 0 ${W} ${H}`} className="week">
        <title id="week-title">Working hours of {number}, week of {mondayOf(date)}</title>
        <desc id="week-desc">
          {override}
          {week.map((d) => `${d.label}: ${d.closed ? 'closed all day' : d.stretches.filter((s) => s.period === 'working_hours').map((s) => `${hhmm(s.from)}–${hhmm(s.to)}`).join(', ') || 'out of hours'}`).join('; ')}
        </desc>
        {[0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => (
          <g key={h}>
            <line x1={x(h * 60)} x2={x(h * 60)} y1={TOP - 4} y2={H} className="hour" />
            <text x={x(h * 60)} y={TOP - 8} className="hour-label">
              {String(h).padStart(2, '0')}:00
            </text>
          </g>
        ))}
        {week.map((day, i) => (
          <g key={day.date}>
            <text x={4} y={TOP + i * ROW + ROW / 2 + 4} className="day-label">
              {day.label}
            </text>
            {day.stretches.map((s) => (
              <rect key={s.from} x={x(s.from)} y={TOP + i * ROW + 4} width={x(s.to) - x(s.from)} height={ROW - 8} className={s.period === 'working_hours' ? 'open' : 'closed'}>
                <title>
                  {hhmm(s.from)}–{hhmm(s.to)} {s.period === 'working_hours' ? 'working hours' : 'out of hours'}
                </title>
              </rect>
            ))}
            {day.closed && (
              <text x={x(720)} y={TOP + i * ROW + ROW / 2 + 4} className="closure-label">
                closure
              </text>
            )}
          </g>
        ))}
      </svg>
      <p className="legend">
        <span className="swatch open" /> working hours <span className="swatch closed" /> out of hours
      </p>
      <h3>What happens at…</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          api.simulate(number, new Date(at)).then(setSimulation, (err: unknown) => setFailure(String(err)));
        }}
      >
        <label htmlFor="simulate-at">Instant (your browser's time)</label> <input id="simulate-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} /> <button type="submit">Simulate</button>
      </form>
      {simulation && (
        <p role="status" className="simulation">
          A message at {new Date(simulation.at).toLocaleString()} comes in {simulation.period === 'working_hours' ? 'working hours' : 'out of hours'}
          {simulation.overrideActive ? ' (the override is in force)' : ''}: routed to {simulation.routing ? routingText(simulation.routing, directory) : 'nobody'}; it arms {simulation.actions.length} action(s).
        </p>
      )}
    </section>
  );
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
