import { useCallback, useEffect, useState } from 'react';
import type { ConsentSettings, NumberConfigurationBody } from '@kite/contracts';
import { ApiError, type Api, type DirectoryView, type HistoryItem, type NumberView, type Problem } from '../api.js';
import { keepDraft, keptDraft, type Author } from '../drafts.js';
import { ActionsEditor } from '../form/actions-editor.js';
import { changedParts } from '../form/changes.js';
import { DirectorySelect } from '../form/directory-select.js';
import { Field, PartProblems } from '../form/field.js';
import { fieldId } from '../form/problems.js';
import { RoutingPicker } from '../form/routing-picker.js';
import { STATUS_LABELS } from '../labels.js';
import { ScheduleEditor } from '../form/schedule-editor.js';

/** The form's start for a number without a configuration: the first service, its group in hours, always open. */
function emptyDraft(directory: DirectoryView): NumberConfigurationBody {
  const service = directory.services[0]?.id ?? '';
  return { linkedServiceId: service, workingHours: { routing: { type: 'group', serviceId: service }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] } };
}

const draftOf = (view: NumberView, directory: DirectoryView): NumberConfigurationBody => (view.configuration ? structuredClone(view.configuration) : emptyDraft(directory));

interface Conflict {
  latest: NumberView;
  by?: HistoryItem;
  parts: string[];
}

/** The form's lists and their lengths: when they change, the problems' indexes point elsewhere. */
const shapeOf = (d: NumberConfigurationBody) =>
  JSON.stringify([d.workingHours.schedule.rules.length, d.workingHours.schedule.closures?.length, d.outOfHours !== undefined, ...[...d.workingHours.actions, ...(d.outOfHours?.actions ?? [])].map((a) => [a.conditions.length, a.task.type])]);

/** C2–C7, W4: one number's configuration as one form, in the order of the administrator's guide. */
export function NumberPage({ api, number, canWrite, author }: { api: Api; number: string; canWrite: boolean; author: Author }) {
  const [view, setView] = useState<NumberView>();
  const [directory, setDirectory] = useState<DirectoryView>();
  const [consent, setConsent] = useState<ConsentSettings>();
  const [draft, setDraft] = useState<NumberConfigurationBody>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState<string>();
  const [conflict, setConflict] = useState<Conflict>();
  const [failure, setFailure] = useState<string>();
  const [saving, setSaving] = useState(false);

  /** The number as saved, or, when its author left one (signed out by an expired token), their draft and the version it was made on. */
  const load = useCallback(
    async ({ restore }: { restore: boolean }) => {
      const [v, d, c] = await Promise.all([api.number(number), api.directory(), api.consentSettings()]);
      const kept = restore && canWrite ? keptDraft(author, number) : undefined;
      setView(kept?.base ?? v);
      setDirectory(d);
      setConsent(c);
      setDraft(kept?.draft ?? draftOf(v, d));
      setProblems([]);
      setConflict(undefined);
      if (kept) setStatus('Your changes not saved yet are back, as you left them: save them, or cancel them.');
    },
    [api, number, canWrite, author],
  );
  useEffect(() => {
    load({ restore: true }).catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  }, [load]);
  // What differs from the saved configuration is kept in the tab until it is saved or cancelled.
  useEffect(() => {
    if (!canWrite || !view || !directory || !draft) return;
    keepDraft(author, number, JSON.stringify(draft) === JSON.stringify(draftOf(view, directory)) ? undefined : { base: view, draft });
  }, [canWrite, author, number, view, directory, draft]);

  if (failure) return <p role="alert">{failure}</p>;
  if (!view || !directory || !draft) return <p>Loading {number}…</p>;
  const disabled = !canWrite;
  const templates = directory.numbers.find((n) => n.number === number)?.templates ?? [];
  const hasWhatsApp = view.channels.includes('whatsapp');
  const serviceName = (id: string | undefined) => directory.services.find((s) => s.id === id)?.name ?? id;
  // After a conflict, `view` is their version: the comparison and "save over" are against it. Cancel reads the number as saved now.
  const serviceChanges = view.configuration !== undefined && view.configuration.linkedServiceId !== draft.linkedServiceId;
  const change = (next: NumberConfigurationBody) => {
    if (problems.length && shapeOf(next) !== shapeOf(draft)) setProblems([]);
    setDraft(next);
  };

  const save = async (version: number) => {
    if (serviceChanges && !window.confirm(`Link ${number} to ${serviceName(draft.linkedServiceId)} instead of ${serviceName(view.configuration?.linkedServiceId)}? Its conversations with ${serviceName(view.configuration?.linkedServiceId)} are detached from the number (L6).`)) return;
    setStatus('Saving…');
    setSaving(true);
    try {
      const saved = await api.save(number, draft, version);
      setView(saved);
      setDraft(draftOf(saved, directory));
      setProblems([]);
      setConflict(undefined);
      setStatus(`Saved: version ${saved.version}.`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        setProblems(e.problems);
        setStatus(`Not saved: ${e.problems.length} problem(s), shown beside their fields.`);
        setTimeout(() => (document.getElementById(fieldId(e.problems[0]?.path ?? '')) ?? document.getElementById('problems'))?.focus(), 0);
      } else if (e instanceof ApiError && e.status === 412) {
        const [latest, history] = await Promise.all([api.number(number), api.history(number)]);
        setConflict({ latest, by: history.at(-1), parts: changedParts(view, latest) });
        setView(latest);
        setStatus('Not saved: someone changed this number since you opened it.');
      } else setStatus(`Not saved: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setSaving(false);
    }
  };

  const outOfHours = draft.outOfHours;
  return (
    <form
      aria-label={`Configuration of ${number}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save(view.version);
      }}
    >
      <header className="page-head">
        <h2>{number}</h2>
        <p>
          {view.channels.join(', ')} · <span className={`status ${view.status}`}>{STATUS_LABELS[view.status]}</span> · version {view.version}
          {view.override && <> · override: {view.override.mode}{view.override.until ? ` until ${new Date(view.override.until).toLocaleString()}` : ''}</>}
        </p>
        <nav aria-label="This number">
          <a href={`#/numbers/${encodeURIComponent(number)}/week`}>Week view</a> · <a href={`#/numbers/${encodeURIComponent(number)}/history`}>History and override</a>
        </nav>
        {view.status === 'partially_configured' && <p className="notice">Imported from a call group (C8): it works, but holds only what the call group knew. Review it and save it in full.</p>}
        {!canWrite && <p className="notice">You are signed in as a viewer: you can read everything and change nothing.</p>}
      </header>
      {problems.length > 0 && (
        <div className="problems" role="alert" id="problems" tabIndex={-1}>
          <p>{problems.length} problem(s):</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <a href={`#${fieldId(p.path)}`} onClick={(e) => (e.preventDefault(), document.getElementById(fieldId(p.path))?.focus())}>
                  {p.path}
                </a>
                : {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {conflict && (
        <div className="conflict" role="alert">
          <p>
            Changed since you opened it: now version {conflict.latest.version}
            {conflict.by ? `, by ${conflict.by.actor.sub} (${conflict.by.actor.role}) at ${new Date(conflict.by.occurredAt).toLocaleString()}` : ''}. What changed: {conflict.parts.join(', ') || 'nothing you can see'}.
          </p>
          <button type="button" onClick={() => void load({ restore: false })}>
            Load their version
          </button>{' '}
          <button type="button" className="secondary" onClick={() => void save(conflict.latest.version)}>
            Save mine over theirs
          </button>
        </div>
      )}

      <fieldset>
        <legend>Linked service</legend>
        <Field label="Service" path="$.linkedServiceId" problems={problems} hint="Changing it detaches the number's conversations with the service it is linked to now (L6).">
          {(input) => <DirectorySelect input={input} value={draft.linkedServiceId} entries={directory.services} disabled={disabled} onChange={(linkedServiceId) => change({ ...draft, linkedServiceId })} />}
        </Field>
        {serviceChanges && <p className="warning">Saving links the number to another service: its conversations with {serviceName(view.configuration?.linkedServiceId)} will be detached from it.</p>}
      </fieldset>

      <RoutingPicker label="Routing in working hours" path="$.workingHours.routing" value={draft.workingHours.routing} directory={directory} problems={problems} disabled={disabled} onChange={(routing) => change({ ...draft, workingHours: { ...draft.workingHours, routing } })} />
      <ScheduleEditor value={{ ...draft.workingHours.schedule, closures: draft.workingHours.schedule.closures ?? [] }} problems={problems} disabled={disabled} onChange={(schedule) => change({ ...draft, workingHours: { ...draft.workingHours, schedule } })} />

      <fieldset>
        <legend>Out of hours</legend>
        <PartProblems path="$.outOfHours" problems={problems} />
        <div className="check">
          <input
            id="has-out-of-hours"
            type="checkbox"
            checked={outOfHours !== undefined}
            disabled={disabled}
            onChange={(e) => {
              const { outOfHours: _, ...rest } = draft;
              change(e.target.checked ? { ...rest, outOfHours: { routing: draft.workingHours.routing, actions: [] } } : rest);
            }}
          />
          <label htmlFor="has-out-of-hours">Route messages out of hours (required when the schedule has rules)</label>
        </div>
        {outOfHours && <RoutingPicker label="Routing out of hours" path="$.outOfHours.routing" value={outOfHours.routing} directory={directory} problems={problems} disabled={disabled} onChange={(routing) => change({ ...draft, outOfHours: { ...outOfHours, routing } })} />}
      </fieldset>

      <ActionsEditor label="Actions in working hours" path="$.workingHours.actions" value={draft.workingHours.actions} directory={directory} whatsapp={hasWhatsApp} templates={templates} problems={problems} disabled={disabled} onChange={(actions) => change({ ...draft, workingHours: { ...draft.workingHours, actions } })} />
      {outOfHours && <ActionsEditor label="Actions out of hours" path="$.outOfHours.actions" value={outOfHours.actions} directory={directory} whatsapp={hasWhatsApp} templates={templates} problems={problems} disabled={disabled} onChange={(actions) => change({ ...draft, outOfHours: { ...outOfHours, actions } })} />}

      <fieldset>
        <legend>WhatsApp and consent</legend>
        {hasWhatsApp ? (
          templates.length ? (
            <ul>
              {templates.map((t) => (
                <li key={`${t.name} ${t.language}`}>
                  <strong>{t.name}</strong> ({t.language}, {t.category}): {t.body}
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">No approved WhatsApp templates listed for this number in the directory.</p>
          )
        ) : (
          <p className="hint">This number has no WhatsApp channel.</p>
        )}
        {consent && (
          <p>
            Opt-outs reach {consent.scope === 'number' ? 'this number only' : consent.scope === 'service' ? "every number of the opted-out number's service" : 'every number of the tenant'}. <a href="#/consent">Consent settings</a>
          </p>
        )}
      </fieldset>

      <div className="actions-bar">
        {canWrite && (
          <button type="submit" disabled={saving}>
            Save
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void load({ restore: false }).then(() => setStatus('Changes cancelled.'), (e: unknown) => setStatus(`Not cancelled: ${e instanceof Error ? e.message : String(e)}`))}>
          Cancel
        </button>
        <span role="status" className="save-status">
          {status}
        </span>
      </div>
    </form>
  );
}
