import { useEffect, useMemo, useState } from 'react';
import type { Api, DirectoryView, NumberSummary } from '../api.js';
import { routingText, STATUS_LABELS } from '../labels.js';

/** C1: every number with its channels, status, linked service and routing at a glance; searchable. */
export function NumbersList({ api }: { api: Api }) {
  const [numbers, setNumbers] = useState<NumberSummary[]>();
  const [directory, setDirectory] = useState<DirectoryView>();
  const [search, setSearch] = useState('');
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    (async () => {
      const [list, d] = await Promise.all([api.numbers(), api.directory()]);
      setNumbers(list);
      setDirectory(d);
    })().catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  }, [api]);
  const rows = useMemo(() => {
    if (!numbers || !directory) return [];
    return numbers.map((n) => {
      const service = directory.services.find((s) => s.id === n.linkedServiceId)?.name ?? n.linkedServiceId ?? '';
      const routing = n.routing ? `${routingText(n.routing.workingHours, directory)}${n.routing.outOfHours ? `; out of hours ${routingText(n.routing.outOfHours, directory)}` : ''}` : '';
      return { ...n, service, routing };
    });
  }, [numbers, directory]);
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
