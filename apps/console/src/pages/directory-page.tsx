import { useEffect, useState } from 'react';
import { ApiError, type Api, type DirectoryView } from '../api.js';

/** C2: the directory, read-only; and C8: importing legacy call groups' numbers. */
export function DirectoryPage({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const [directory, setDirectory] = useState<DirectoryView>();
  const [serviceId, setServiceId] = useState('');
  const [numbers, setNumbers] = useState('');
  const [result, setResult] = useState<string>();
  useEffect(() => {
    api.directory().then((d) => (setDirectory(d), setServiceId(d.services[0]?.id ?? '')), (e: unknown) => setResult(String(e)));
  }, [api]);
  if (!directory) return <p>{result ?? 'Loading the directory…'}</p>;
  return (
    <section>
      <h2>Directory (version {directory.version})</h2>
      <p className="hint">Read-only here: the PBX replaces it whole (PUT /v1/directory).</p>
      <h3>Services</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Agents</th>
            <th scope="col">Dialplan SMS number</th>
          </tr>
        </thead>
        <tbody>
          {directory.services.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.agentIds.map((id) => directory.agents.find((a) => a.id === id)?.name ?? id).join(', ')}</td>
              <td>{s.dialplan.smsNumber ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Numbers</h3>
      <ul>
        {directory.numbers.map((n) => (
          <li key={n.number}>
            {n.number}: {n.channels.join(', ')}
            {n.templates?.length ? `; WhatsApp templates: ${n.templates.map((t) => `${t.name} (${t.language})`).join(', ')}` : ''}
          </li>
        ))}
      </ul>
      <h3>Agents and bots</h3>
      <p>Agents: {directory.agents.map((a) => a.name).join(', ') || 'none'}.</p>
      <p>Bots: {directory.bots.map((b) => b.name).join(', ') || 'none'}.</p>
      {canWrite && (
        <>
          <h3>Import a call group's numbers (C8)</h3>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const list = numbers.split(/[\s,]+/).filter(Boolean);
              api.migrate(serviceId, list).then(
                (r) => setResult(`Imported as partially configured: ${r.migrated.join(', ') || 'none'}. Left unchanged (already configured): ${r.unchanged.join(', ') || 'none'}.`),
                (err: unknown) => setResult(err instanceof ApiError ? `Not imported: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ') || err.title}` : String(err)),
              );
            }}
          >
            <label htmlFor="migrate-service">Call group</label>{' '}
            <select id="migrate-service" value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
              {directory.services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>{' '}
            <label htmlFor="migrate-numbers">Numbers (E.164, separated by spaces or commas)</label> <input id="migrate-numbers" value={numbers} onChange={(e) => setNumbers(e.target.value)} /> <button type="submit">Import</button>
          </form>
        </>
      )}
      <p role="status">{result}</p>
    </section>
  );
}
