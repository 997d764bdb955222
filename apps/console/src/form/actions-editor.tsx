import { useState } from 'react';
import type { Condition, Directory, NumberConfigurationBody, Task, WhatsAppTemplate } from '@kite/contracts';
import type { Problem } from '../api.js';
import { DirectorySelect } from './directory-select.js';
import { Field, PartProblems } from './field.js';
import { problemsAt } from './problems.js';

type Action = NumberConfigurationBody['workingHours']['actions'][number];

const CONDITIONS: Record<Condition['type'], string> = {
  no_reply: 'No reply',
  not_read: 'Not read',
  no_activity: 'No activity',
  window_closing: 'WhatsApp window closes within',
};
const UNITS = [
  { name: 'seconds', seconds: 1 },
  { name: 'minutes', seconds: 60 },
  { name: 'hours', seconds: 3600 },
  { name: 'days', seconds: 86_400 },
] as const;
type Unit = (typeof UNITS)[number];
const unitOf = (seconds: number): Unit => [...UNITS].reverse().find((u) => Number.isInteger(seconds) && seconds % u.seconds === 0 && seconds >= u.seconds) ?? UNITS[0];

/**
 * A2: a condition's duration in the unit the administrator picks. What is typed stays as typed:
 * the unit never changes under the cursor, and a value that is not a number (an empty box) is sent
 * as it is, so the API's problem (5 s to 1 day) is shown beside the field rather than guessed at.
 */
function Duration({ id, label, seconds, onChange, disabled, invalid, describedBy }: { id: string; label: string; seconds: number; onChange: (s: number) => void; disabled: boolean; invalid: boolean; describedBy?: string }) {
  const [unit, setUnit] = useState<Unit>(() => unitOf(seconds));
  const [text, setText] = useState(() => String(seconds / unit.seconds));
  const [sent, setSent] = useState(seconds);
  if (!Object.is(seconds, sent)) {
    // A value set from outside (Cancel, their version loaded) replaces what was typed.
    const next = unitOf(seconds);
    setUnit(next);
    setText(String(seconds / next.seconds));
    setSent(seconds);
  }
  const typed = (value: string, by: Unit) => {
    const next = value.trim() === '' || !Number.isFinite(Number(value)) ? Number.NaN : Math.round(Number(value) * by.seconds);
    setSent(next);
    onChange(next);
  };
  return (
    <span className="duration">
      <input id={id} type="number" inputMode="numeric" min={1} value={text} disabled={disabled} aria-invalid={invalid} {...(describedBy ? { 'aria-describedby': describedBy } : {})} onChange={(e) => (setText(e.target.value), typed(e.target.value, unit))} />
      <select
        aria-label={`${label}: unit`}
        value={unit.name}
        disabled={disabled}
        onChange={(e) => {
          const next = UNITS.find((u) => u.name === e.target.value)!;
          setUnit(next);
          typed(text, next);
        }}
      >
        {UNITS.map((u) => (
          <option key={u.name} value={u.name}>
            {u.name}
          </option>
        ))}
      </select>
    </span>
  );
}

/** C5, A1–A6, W4, W5: a period's actions: up to 3 conditions, a task, and "execute only once per conversation". */
export function ActionsEditor({ path, label, value, onChange, directory, whatsapp, templates, problems, disabled }: { path: string; label: string; value: Action[]; onChange: (a: Action[]) => void; directory: Directory; whatsapp: boolean; templates: readonly WhatsAppTemplate[]; problems: readonly Problem[]; disabled: boolean }) {
  // W5: the window closing is a WhatsApp number's condition (kept when already chosen).
  const offered = (chosen?: Condition['type']) => (Object.keys(CONDITIONS) as Condition['type'][]).filter((t) => whatsapp || t !== 'window_closing' || t === chosen);
  const set = (i: number, change: Partial<Action>) => onChange(value.map((a, j) => (j === i ? { ...a, ...change } : a)));
  const setTask = (i: number, task: Task) => set(i, { task });
  return (
    <fieldset>
      <legend>{label}</legend>
      <PartProblems path={path} problems={problems} />
      {value.length === 0 && <p className="hint">No actions.</p>}
      {value.map((action, i) => {
        const at = `${path}[${i}]`;
        const unused = offered().filter((t) => !action.conditions.some((c) => c.type === t));
        return (
          <section key={action.id ?? `new-${i}`} className="action" aria-label={`Action ${i + 1}`}>
            <h4>Action {i + 1}</h4>
            <PartProblems path={`${at}.conditions`} problems={problems} />
            {action.conditions.map((condition, k) => (
              <div key={k} className="condition">
                <Field label={`Condition ${k + 1}`} path={`${at}.conditions[${k}].type`} problems={problems}>
                  {(input) => (
                    <select {...input} value={condition.type} disabled={disabled} onChange={(e) => set(i, { conditions: action.conditions.map((c, m) => (m === k ? { ...c, type: e.target.value as Condition['type'] } : c)) })}>
                      {offered(condition.type).map((t) => (
                        <option key={t} value={t}>
                          {CONDITIONS[t]}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="After" path={`${at}.conditions[${k}].afterSeconds`} problems={problems} hint="From 5 seconds to 1 day.">
                  {(input) => <Duration id={input.id} label={`Action ${i + 1}, condition ${k + 1}`} invalid={input['aria-invalid']} {...(input['aria-describedby'] ? { describedBy: input['aria-describedby'] } : {})} seconds={condition.afterSeconds} disabled={disabled} onChange={(s) => set(i, { conditions: action.conditions.map((c, m) => (m === k ? { ...c, afterSeconds: s } : c)) })} />}
                </Field>
                {!disabled && (
                  <button type="button" className="secondary" aria-label={`Remove condition ${k + 1} of action ${i + 1}`} onClick={() => set(i, { conditions: action.conditions.filter((_, m) => m !== k) })}>
                    Remove
                  </button>
                )}
              </div>
            ))}
            {!disabled && action.conditions.length < 3 && unused[0] && (
              <button type="button" className="secondary" onClick={() => set(i, { conditions: [...action.conditions, { type: unused[0]!, afterSeconds: 900 }] })}>
                Add condition
              </button>
            )}
            {action.conditions.length === 0 && <p className="hint">No condition: it runs on every message from the contact in this period.</p>}
            <Field label="Task" path={`${at}.task.type`} problems={problems}>
              {(input) => (
                <select {...input} value={action.task.type} disabled={disabled} onChange={(e) => setTask(i, e.target.value === 'send_message' ? { type: 'send_message', botId: directory.bots[0]?.id ?? '', text: '' } : { type: 'add_members', agentIds: [] })}>
                  <option value="send_message">Send a message (a bot)</option>
                  <option value="add_members">Add members (agents)</option>
                </select>
              )}
            </Field>
            {action.task.type === 'send_message' ? (
              <SendMessage at={at} task={action.task} onChange={(task) => setTask(i, task)} directory={directory} templates={whatsapp ? templates : []} problems={problems} disabled={disabled} />
            ) : (
              <AddMembers at={at} task={action.task} onChange={(task) => setTask(i, task)} directory={directory} problems={problems} disabled={disabled} />
            )}
            <div className="check">
              <input id={`${at}-once`} type="checkbox" checked={action.onlyOnce} disabled={disabled} onChange={(e) => set(i, { onlyOnce: e.target.checked })} />
              <label htmlFor={`${at}-once`}>Execute only once per conversation</label>
            </div>
            {!disabled && (
              <button type="button" className="secondary" onClick={() => onChange(value.filter((_, j) => j !== i))}>
                Remove action {i + 1}
              </button>
            )}
          </section>
        );
      })}
      {!disabled && value.length < 20 && (
        <button type="button" className="secondary" onClick={() => onChange([...value, { onlyOnce: false, conditions: [{ type: 'no_reply', afterSeconds: 900 }], task: { type: 'send_message', botId: directory.bots[0]?.id ?? '', text: '' } }])}>
          Add action
        </button>
      )}
    </fieldset>
  );
}

type SendTask = Extract<Task, { type: 'send_message' }>;

function SendMessage({ at, task, onChange, directory, templates, problems, disabled }: { at: string; task: SendTask; onChange: (t: SendTask) => void; directory: Directory; templates: readonly WhatsAppTemplate[]; problems: readonly Problem[]; disabled: boolean }) {
  const fallback = task.fallbackTemplate;
  return (
    <>
      <Field label="Bot" path={`${at}.task.botId`} problems={problems}>
        {(input) => <DirectorySelect input={input} value={task.botId} entries={directory.bots} disabled={disabled} onChange={(botId) => onChange({ ...task, botId })} />}
      </Field>
      <Field label="Text" path={`${at}.task.text`} problems={problems} hint="1 to 1,600 characters.">
        {(input) => <textarea {...input} value={task.text} disabled={disabled} rows={2} onChange={(e) => onChange({ ...task, text: e.target.value })} />}
      </Field>
      {(templates.length > 0 || fallback) && (
        <Field label="WhatsApp fallback template (when the 24-hour window is closed)" path={`${at}.task.fallbackTemplate.name`} problems={problems}>
          {(input) => (
            <select
              {...input}
              value={fallback ? `${fallback.name} ${fallback.language}` : ''}
              disabled={disabled}
              onChange={(e) => {
                const [name, language] = e.target.value.split(' ');
                const { fallbackTemplate: _, ...rest } = task;
                onChange(name && language ? { ...rest, fallbackTemplate: { name, language, parameters: fallback?.parameters ?? [] } } : rest);
              }}
            >
              <option value="">None: the run is skipped</option>
              {fallback && !templates.some((t) => t.name === fallback.name && t.language === fallback.language) && (
                <option value={`${fallback.name} ${fallback.language}`}>
                  {fallback.name} ({fallback.language}): not a template of this number
                </option>
              )}
              {templates.map((t) => (
                <option key={`${t.name} ${t.language}`} value={`${t.name} ${t.language}`}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {fallback && (
        <Field label="Template parameters, separated by |" path={`${at}.task.fallbackTemplate.parameters`} problems={problems}>
          {(input) => <input {...input} value={fallback.parameters.join('|')} disabled={disabled} onChange={(e) => onChange({ ...task, fallbackTemplate: { ...fallback, parameters: e.target.value ? e.target.value.split('|') : [] } })} />}
        </Field>
      )}
    </>
  );
}

type MembersTask = Extract<Task, { type: 'add_members' }>;

function AddMembers({ at, task, onChange, directory, problems, disabled }: { at: string; task: MembersTask; onChange: (t: MembersTask) => void; directory: Directory; problems: readonly Problem[]; disabled: boolean }) {
  // An agent the directory no longer has stays listed, so it can be unticked.
  const agents = [...directory.agents, ...task.agentIds.filter((id) => !directory.agents.some((a) => a.id === id)).map((id) => ({ id, name: `${id} (not in the directory)` }))];
  const messages = task.agentIds.flatMap((_, i) => problemsAt(problems, `${at}.task.agentIds[${i}]`));
  return (
    <fieldset className="agents">
      <legend>Agents to add</legend>
      <PartProblems path={`${at}.task.agentIds`} problems={problems} />
      {messages.length > 0 && <p className="error">{messages.join('; ')}</p>}
      {agents.map((agent) => (
        <div key={agent.id} className="check">
          <input
            id={`${at}-agent-${agent.id}`}
            type="checkbox"
            checked={task.agentIds.includes(agent.id)}
            disabled={disabled}
            onChange={(e) => onChange({ ...task, agentIds: e.target.checked ? [...task.agentIds, agent.id] : task.agentIds.filter((id) => id !== agent.id) })}
          />
          <label htmlFor={`${at}-agent-${agent.id}`}>{agent.name}</label>
        </div>
      ))}
    </fieldset>
  );
}
