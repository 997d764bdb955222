/**
 * A choice among the directory's entries (services, agents, bots), by name. An id the directory
 * does not have (any more) stays listed, so the form shows what is saved and the API says why.
 */
export function DirectorySelect({ input, value, entries, disabled, onChange }: { input: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }; value: string; entries: readonly { id: string; name: string }[]; disabled: boolean; onChange: (id: string) => void }) {
  return (
    <select {...input} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {!entries.some((e) => e.id === value) && <option value={value}>{value ? `${value} (not in the directory)` : 'Choose…'}</option>}
      {entries.map((e) => (
        <option key={e.id} value={e.id}>
          {e.name}
        </option>
      ))}
    </select>
  );
}
