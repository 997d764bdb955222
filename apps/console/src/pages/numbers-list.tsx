import { useEffect, useMemo, useState } from 'react';
import type { Api, DirectoryView, NumberSummary, NumberView } from '../api.js';
import { routingText, STATUS_LABELS } from '../labels.js';

/** Each configured number's view, a few at a time, shown as they come; one that fails is left out. */
async function loadViews(api: Api, numbers: NumberSummary[], loaded: (number: string, view: NumberView) => void): Promise<void> {
  const queue = numbers.filter((n) => n.status !== 'not_configured');
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const view = await api.number(next.number).catch(() => undefined);
        if (view) loaded(next.number, view);
      }
    }),
  );
}

/** C1: every number with its channels, status, linked service and routing at a glance; searchable. */
export function NumbersList({ api }: { api: Api }) {
  const [numbers, setNumbers] = useState<NumberSummary[]>();
  const [directory, setDirectory] = useState<DirectoryView>();
  const [views, setViews] = useState(new Map<string, NumberView>());
  const [search, setSearch] = useState('');
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    (async () => {
      const [list, d] = await Promise.all([api.numbers(), api.directory()]);
      setNumbers(list);
      setDirectory(d);
      await loadViews(api, list, (number, view) => setViews((views) => new Map(views).set(number, view)));
    })().catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  }, [api]);
  const rows = useMemo(() => {
    if (!numbers || !directory) return [];
    return numbers.map((n) => {
      const configuration = views.get(n.number)?.configuration;
      const service = directory.services.find((s) => s.id === n.linkedServiceId)?.name ?? n.linkedServiceId ?? '';
      const routing = configuration ? `${routingText(configuration.workingHours.routing, directory)}${configuration.outOfHours ? `; out of hours ${routingText(configuration.outOfHours.routing, directory)}` : ''}` : '';
      return { ...n, service, routing };
    });
  }, [numbers, directory, views]);
  if (failure) return <p role="alert">{failure}</p>;
  if (!numbers) return <p>Loading numbers…</p>;
  const query = search.trim().toLowerCase();
  const shown = rows.filter((r) => !query || [r.number, r.service, r.routing, STATUS_LABELS[r.status], r.channels.join(' ')].some((text) => text.toLowerCase().includes(query)));
  return (
    <section>
      <h2>Numbers</h2>
      <label htmlFor="search">Search</label> <input id="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="number, service, status…" />
      <p role="status">
        {shown.length} of {rows.length} numbers
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Channels</th>
            <th scope="col">Status</th>
            <th scope="col">Linked service</th>
            <th scope="col">Routing</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.number}>
              <td>
                <a href={`#/numbers/${encodeURIComponent(r.number)}`}>{r.number}</a>
              </td>
              <td>{r.channels.join(', ')}</td>
              <td>
                <span className={`status ${r.status}`}>{STATUS_LABELS[r.status]}</span>
                {r.status === 'partially_configured' && <span className="hint"> (imported from a call group: review and save in full)</span>}
              </td>
              <td>{r.service}</td>
              <td>{r.routing}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
