import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Api, type HistoryItem, type NumberView } from '../api.js';
import { changedParts } from '../form/changes.js';

const TYPES: Record<string, string> = {
  NumberConfigurationSaved: 'saved',
  NumberConfigurationMigrated: 'imported from a call group',
  NumberConfigurationRemoved: 'removed',
  NumberOverrideSet: 'override set',
  NumberOverrideCleared: 'override cleared',
};

/** C7: who changed the number, when and what; C4: its emergency override. */
export function HistoryPage({ api, number, canWrite }: { api: Api; number: string; canWrite: boolean }) {
  const [view, setView] = useState<NumberView>();
  const [history, setHistory] = useState<HistoryItem[]>();
  const [mode, setMode] = useState<'closed' | 'open'>('closed');
  const [until, setUntil] = useState('');
  const [status, setStatus] = useState<string>();
  const load = useCallback(() => Promise.all([api.number(number), api.history(number)]).then(([v, h]) => (setView(v), setHistory(h))), [api, number]);
  useEffect(() => {
    load().catch((e: unknown) => setStatus(String(e)));
  }, [load]);
  if (!view || !history) return <p>{status ?? `Loading ${number}…`}</p>;
  const change = async (act: () => Promise<NumberView>, done: string) => {
    try {
      await act();
      await load();
      setStatus(done);
    } catch (e) {
      setStatus(e instanceof ApiError ? `Not changed: ${e.status === 412 ? 'someone changed the number meanwhile; it is shown as it is now' : [e.title, ...e.problems.map((p) => p.message)].join('; ')}` : String(e));
      await load().catch(() => undefined);
    }
  };
  return (
    <section>
      <h2>{number}: history and override</h2>
      <p>
        <a href={`#/numbers/${encodeURIComponent(number)}`}>Back to the number</a>
      </p>
      <h3>Emergency override</h3>
      <p>{view.override ? `In force: ${view.override.mode}${view.override.until ? ` until ${new Date(view.override.until).toLocaleString()}` : ' until cleared'}.` : 'None: the schedule applies.'}</p>
      {canWrite && view.status !== 'not_configured' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void change(() => api.setOverride(number, { mode, ...(until ? { until: new Date(until).toISOString() } : {}) }, view.version), 'Override set.');
          }}
        >
          <label htmlFor="override-mode">Mode</label>{' '}
          <select id="override-mode" value={mode} onChange={(e) => setMode(e.target.value as 'closed' | 'open')}>
            <option value="closed">closed (out of hours)</option>
            <option value="open">open (working hours)</option>
          </select>{' '}
          <label htmlFor="override-until">until, in your browser's time (empty: until cleared)</label> <input id="override-until" type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} /> <button type="submit">Set override</button>{' '}
          {view.override && (
            <button type="button" className="secondary" onClick={() => void change(() => api.clearOverride(number, view.version), 'Override cleared.')}>
              Clear override
            </button>
          )}
        </form>
      )}
      <p role="status">{status}</p>
      <h3>History</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">What changed</th>
          </tr>
        </thead>
        <tbody>
          {history.map((item, i) => (
            <tr key={`${item.version}-${i}`}>
              <td>{item.version}</td>
              <td>{new Date(item.occurredAt).toLocaleString()}</td>
              <td>
                {item.actor.sub} ({item.actor.role})
              </td>
              <td>{TYPES[item.type] ?? item.type}</td>
              <td>{changedParts(history[i - 1]?.data, item.data).join(', ') || 'nothing'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
