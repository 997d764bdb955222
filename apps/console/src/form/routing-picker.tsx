import type { Directory, RoutingTarget } from '@kite/contracts';
import type { Problem } from '../api.js';
import { Field } from './field.js';

const TARGETS = { agent: 'An agent', group: 'A group of agents (a call group)', bot: 'A bot' } as const;

/** C3: who a period's messages go to: an agent, a group or a bot, each chosen by name. */
export function RoutingPicker({ label, path, value, onChange, directory, problems, disabled }: { label: string; path: string; value: RoutingTarget; onChange: (t: RoutingTarget) => void; directory: Directory; problems: readonly Problem[]; disabled: boolean }) {
  const choices = value.type === 'agent' ? directory.agents : value.type === 'group' ? directory.services : directory.bots;
  const idField = value.type === 'agent' ? 'agentId' : value.type === 'group' ? 'serviceId' : 'botId';
  const chosen = value.type === 'agent' ? value.agentId : value.type === 'group' ? value.serviceId : value.botId;
  const retarget = (type: RoutingTarget['type']) => {
    const first = (type === 'agent' ? directory.agents : type === 'group' ? directory.services : directory.bots)[0]?.id ?? '';
    onChange(type === 'agent' ? { type, agentId: first } : type === 'group' ? { type, serviceId: first } : { type, botId: first });
  };
  const choose = (id: string) => onChange(value.type === 'agent' ? { type: 'agent', agentId: id } : value.type === 'group' ? { type: 'group', serviceId: id } : { type: 'bot', botId: id });
  return (
    <fieldset className="routing">
      <legend>{label}</legend>
      <Field label="Route to" path={`${path}.type`} problems={problems}>
        {(input) => (
          <select {...input} value={value.type} disabled={disabled} onChange={(e) => retarget(e.target.value as RoutingTarget['type'])}>
            {Object.entries(TARGETS).map(([type, name]) => (
              <option key={type} value={type}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={value.type === 'agent' ? 'Agent' : value.type === 'group' ? 'Group' : 'Bot'} path={`${path}.${idField}`} problems={problems}>
        {(input) => (
          <select {...input} value={chosen} disabled={disabled} onChange={(e) => choose(e.target.value)}>
            {!choices.some((c) => c.id === chosen) && <option value={chosen}>{chosen ? `${chosen} (not in the directory)` : 'Choose…'}</option>}
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
    </fieldset>
  );
}
