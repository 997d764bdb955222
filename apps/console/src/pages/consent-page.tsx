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
      <h3>Keywords of your own, per language</h3>
      <p className="hint">Besides the defaults; separate keywords with commas. A keyword message in a language is answered with that language's texts when it has them.</p>
      {settings.languages.map((language, i) => (
        <LanguageEditor key={i} index={i} value={language} problems={problems} disabled={!canWrite} onChange={(next) => setSettings({ ...settings, languages: settings.languages.map((l, j) => (j === i ? next : l)) })} onRemove={() => setSettings({ ...settings, languages: settings.languages.filter((_, j) => j !== i) })} />
      ))}
      {canWrite && (
        <p>
          <button type="button" className="secondary" onClick={() => setSettings({ ...settings, languages: [...settings.languages, { language: '', optOut: [], optIn: [], help: [], replies: {} }] })}>
            Add language
          </button>
        </p>
      )}
      {canWrite && <button type="submit">Save</button>}
      <span role="status">{status}</span>
    </form>
  );
}

type Language = ConsentSettings['languages'][number];
const KINDS = [
  ['optOut', 'Opt-out keywords', 'Reply to an opt-out'],
  ['optIn', 'Opt-in keywords', 'Reply to an opt-in'],
  ['help', 'HELP keywords', 'Reply to HELP'],
] as const;
const words = (text: string) => text.split(',').map((w) => w.trim()).filter(Boolean);

/** P1, P4: one language's keywords and replies; a problem about any of its keywords is shown beside their list. */
function LanguageEditor({ index, value, onChange, onRemove, problems, disabled }: { index: number; value: Language; onChange: (l: Language) => void; onRemove: () => void; problems: readonly Problem[]; disabled: boolean }) {
  const at = `$.languages[${index}]`;
  return (
    <fieldset>
      <legend>Language {index + 1}</legend>
      <Field label="Language code" path={`${at}.language`} problems={problems} hint="Such as es or pt_BR.">
        {(input) => <input {...input} value={value.language} disabled={disabled} onChange={(e) => onChange({ ...value, language: e.target.value })} />}
      </Field>
      {KINDS.map(([kind, keywordsLabel, replyLabel]) => {
        const keywordProblems = problems.filter((p) => p.path.startsWith(`${at}.${kind}[`)).map((p) => ({ ...p, path: `${at}.${kind}` }));
        return (
          <div key={kind}>
            <Field label={keywordsLabel} path={`${at}.${kind}`} problems={keywordProblems}>
              {(input) => <KeywordList {...input} value={value[kind]} disabled={disabled} onChange={(list) => onChange({ ...value, [kind]: list })} />}
            </Field>
            <Field label={replyLabel} path={`${at}.replies.${kind}`} problems={problems}>
              {(input) => <textarea {...input} rows={2} disabled={disabled} value={value.replies[kind] ?? ''} onChange={(e) => onChange({ ...value, replies: { ...value.replies, [kind]: e.target.value || undefined } })} />}
            </Field>
          </div>
        );
      })}
      {!disabled && (
        <button type="button" className="secondary" onClick={onRemove}>
          Remove language {index + 1}
        </button>
      )}
    </fieldset>
  );
}

/** A comma-separated list that keeps what is typed (a trailing comma included) until it leaves the field. */
function KeywordList({ value, onChange, disabled, ...input }: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string; value: string[]; onChange: (list: string[]) => void; disabled: boolean }) {
  const [text, setText] = useState(value.join(', '));
  return <input {...input} value={text} disabled={disabled} onChange={(e) => (setText(e.target.value), onChange(words(e.target.value)))} onBlur={() => setText(value.join(', '))} />;
}
