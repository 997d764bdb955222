import type { Schedule, ScheduleDays } from '@kite/contracts';
import type { Problem } from '../api.js';
import { Field, PartProblems } from './field.js';
import { rangeNote } from './ranges.js';
import { timeZoneChoices } from './time-zones.js';

const DAYS: Record<ScheduleDays, string> = {
  weekdays: 'Weekdays',
  weekends: 'Weekends',
  everyday: 'Every day',
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};
const ZONES = timeZoneChoices();

/** C4: the schedule: its time zone (searchable), its rules, and its closures. */
export function ScheduleEditor({ value, onChange, problems, disabled }: { value: Schedule; onChange: (s: Schedule) => void; problems: readonly Problem[]; disabled: boolean }) {
  const path = '$.workingHours.schedule';
  const setRule = (i: number, change: Partial<Schedule['rules'][number]>) => onChange({ ...value, rules: value.rules.map((r, j) => (j === i ? { ...r, ...change } : r)) });
  return (
    <fieldset>
      <legend>Working hours</legend>
      <PartProblems path={`${path}.rules`} problems={problems} />
      {value.rules.length === 0 && <p className="hint">No rules: always working hours.</p>}
      <ol className="rules">
        {value.rules.map((rule, i) => (
          <li key={i} className="rule">
            <Field label={`Rule ${i + 1}: days`} path={`${path}.rules[${i}].days`} problems={problems}>
              {(input) => (
                <select {...input} value={rule.days} disabled={disabled} onChange={(e) => setRule(i, { days: e.target.value as ScheduleDays })}>
                  {Object.entries(DAYS).map(([days, name]) => (
                    <option key={days} value={days}>
                      {name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={`Rule ${i + 1}: from`} path={`${path}.rules[${i}].from`} problems={problems}>
              {(input) => <input {...input} type="time" value={rule.from} disabled={disabled} onChange={(e) => setRule(i, { from: e.target.value })} required />}
            </Field>
            <Field label={`Rule ${i + 1}: to`} path={`${path}.rules[${i}].to`} problems={problems} {...(rangeNote(rule.from, rule.to) ? { hint: rangeNote(rule.from, rule.to)! } : {})}>
              {(input) => <input {...input} type="time" value={rule.to} disabled={disabled} onChange={(e) => setRule(i, { to: e.target.value })} required />}
            </Field>
            {!disabled && (
              <button type="button" className="secondary" onClick={() => onChange({ ...value, rules: value.rules.filter((_, j) => j !== i) })} aria-label={`Remove rule ${i + 1}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ol>
      {!disabled && (
        <button type="button" className="secondary" onClick={() => onChange({ ...value, rules: [...value.rules, { days: 'weekdays', from: '08:00', to: '18:00' }] })}>
          Add rule
        </button>
      )}
      <h4>Closures</h4>
      <p className="hint">Dates out of hours all day, in the schedule's time zone.</p>
      <ul className="closures">
        {value.closures.map((date, i) => (
          <li key={i}>
            <Field label={`Closure ${i + 1}`} path={`${path}.closures[${i}]`} problems={problems}>
              {(input) => <input {...input} type="date" value={date} disabled={disabled} onChange={(e) => onChange({ ...value, closures: value.closures.map((d, j) => (j === i ? e.target.value : d)) })} />}
            </Field>
            {!disabled && (
              <button type="button" className="secondary" onClick={() => onChange({ ...value, closures: value.closures.filter((_, j) => j !== i) })} aria-label={`Remove closure ${i + 1}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {!disabled && (
        <button type="button" className="secondary" onClick={() => onChange({ ...value, closures: [...value.closures, new Date().toISOString().slice(0, 10)] })}>
          Add closure
        </button>
      )}
      <Field label="Time zone" path={`${path}.timeZone`} problems={problems} hint="An IANA zone such as Europe/Berlin, UTC, or a fixed offset such as GMT-03:00: type to search.">
        {(input) => <input {...input} list="time-zones" value={value.timeZone} disabled={disabled} onChange={(e) => onChange({ ...value, timeZone: e.target.value })} autoComplete="off" />}
      </Field>
      <datalist id="time-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </fieldset>
  );
}
