import type { Directory, RoutingTarget } from '@kite/contracts';
import type { Problem } from '../api.js';
import { DirectorySelect } from './directory-select.js';
import { Field } from './field.js';

type Kind = RoutingTarget['type'];

/** Each kind of target: how the form names it, the directory's entries of that kind, and the target for one of them. */
const KINDS: Record<Kind, { name: string; label: string; idPath: string; entries: (d: Directory) => readonly { id: string; name: string }[]; target: (id: string) => RoutingTarget }> = {
  agent: { name: 'An agent', label: 'Agent', idPath: 'agentId', entries: (d) => d.agents, target: (agentId) => ({ type: 'agent', agentId }) },
  group: { name: 'A group of agents (a call group)', label: 'Group', idPath: 'serviceId', entries: (d) => d.services, target: (serviceId) => ({ type: 'group', serviceId }) },
  bot: { name: 'A bot', label: 'Bot', idPath: 'botId', entries: (d) => d.bots, target: (botId) => ({ type: 'bot', botId }) },
};

const idOf = (t: RoutingTarget): string => (t.type === 'agent' ? t.agentId : t.type === 'group' ? t.serviceId : t.botId);

/** C3: who a period's messages go to: an agent, a group or a bot, each chosen by name. */
export function RoutingPicker({ label, path, value, onChange, directory, problems, disabled }: { label: string; path: string; value: RoutingTarget; onChange: (t: RoutingTarget) => void; directory: Directory; problems: readonly Problem[]; disabled: boolean }) {
  const kind = KINDS[value.type];
  // Another kind starts at its first entry.
  const retarget = (next: (typeof KINDS)[Kind]) => onChange(next.target(next.entries(directory)[0]?.id ?? ''));
  return (
    <fieldset className="routing">
      <legend>{label}</legend>
      <Field label="Route to" path={`${path}.type`} problems={problems}>
        {(input) => (
          <select {...input} value={value.type} disabled={disabled} onChange={(e) => retarget(KINDS[e.target.value as Kind])}>
            {Object.entries(KINDS).map(([type, k]) => (
              <option key={type} value={type}>
                {k.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={kind.label} path={`${path}.${kind.idPath}`} problems={problems}>
        {(input) => <DirectorySelect input={input} value={idOf(value)} entries={kind.entries(directory)} disabled={disabled} onChange={(id) => onChange(kind.target(id))} />}
      </Field>
    </fieldset>
  );
}
