import { useEffect, useState } from 'react';
import type { ConsentSettings } from '@kite/contracts';
import { DEFAULT_KEYWORDS, DEFAULT_REPLIES } from '@kite/domain/consent/keywords.js';
import { ApiError, type Api, type Problem } from '../api.js';
import { Field } from '../form/field.js';

/** P1, P2, P4: the tenant's consent settings: how far an opt-out reaches, and the replies. */
export function ConsentPage({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const [settings, setSettings] = useState<ConsentSettings>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState<string>();
  useEffect(() => {
    api.consentSettings().then(setSettings, (e: unknown) => setStatus(String(e)));
  }, [api]);
  if (!settings) return <p>{status ?? 'Loading the consent settings…'}</p>;
  const reply = (kind: 'optOut' | 'optIn' | 'help', label: string) => (
    <Field label={label} path={`$.replies.${kind}`} problems={problems} hint={`Default: ${DEFAULT_REPLIES[kind]}`}>
      {(input) => <textarea {...input} rows={2} disabled={!canWrite} value={settings.replies[kind] ?? ''} onChange={(e) => setSettings({ ...settings, replies: { ...settings.replies, ...(e.target.value ? { [kind]: e.target.value } : { [kind]: undefined }) } })} />}
    </Field>
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        api.saveConsentSettings(settings).then(
          (saved) => (setSettings(saved), setProblems([]), setStatus('Saved.')),
          (err: unknown) => (err instanceof ApiError ? (setProblems(err.problems), setStatus(`Not saved: ${err.problems.length} problem(s).`)) : setStatus(String(err))),
        );
      }}
    >
      <h2>Consent</h2>
      <p className="hint">
        Keywords every tenant has: opt-out {DEFAULT_KEYWORDS.opt_out.join(', ')}; opt-in {DEFAULT_KEYWORDS.opt_in.join(', ')}; help {DEFAULT_KEYWORDS.help.join(', ')}.
      </p>
      <Field label="An opt-out reaches" path="$.scope" problems={problems}>
        {(input) => (
          <select {...input} disabled={!canWrite} value={settings.scope} onChange={(e) => setSettings({ ...settings, scope: e.target.value as ConsentSettings['scope'] })}>
            <option value="number">the number it was sent to</option>
            <option value="service">every number of that number's service</option>
            <option value="tenant">every number of the tenant</option>
          </select>
        )}
      </Field>
      {reply('optOut', 'Reply to an opt-out')}
      {reply('optIn', 'Reply to an opt-in')}
      {reply('help', 'Reply to HELP')}
      {settings.languages.length > 0 && (
        <p>
          Keywords added per language: {settings.languages.map((l) => `${l.language}: ${[...l.optOut, ...l.optIn, ...l.help].join(', ')}`).join('; ')}.
        </p>
      )}
      {canWrite && <button type="submit">Save</button>}
      <span role="status">{status}</span>
    </form>
  );
}
