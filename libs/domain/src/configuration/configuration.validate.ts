import type { Directory, NumberConfigurationBody, RoutingTarget } from '@kite/contracts';
import { isKnownTimeZone } from '../working-hours/time-zone.js';

/** One problem of a configuration, at a JSON path of the body (C6). */
export interface ConfigurationProblem {
  path: string;
  message: string;
}

function targetProblems(target: RoutingTarget, path: string, directory: Directory | undefined): ConfigurationProblem[] {
  const has = (list: readonly { id: string }[] | undefined, id: string) => (list ?? []).some((x) => x.id === id);
  switch (target.type) {
    case 'agent':
      return has(directory?.agents, target.agentId) ? [] : [{ path: `${path}.agentId`, message: `agent ${target.agentId} is not in the directory` }];
    case 'group':
      return has(directory?.services, target.serviceId) ? [] : [{ path: `${path}.serviceId`, message: `service ${target.serviceId} is not in the directory` }];
    case 'bot':
      return has(directory?.bots, target.botId) ? [] : [{ path: `${path}.botId`, message: `bot ${target.botId} is not in the directory` }];
  }
}

/** C2, C3, C4: what a well-formed body may still get wrong against the tenant's directory. */
export function configurationProblems(body: NumberConfigurationBody, directory: Directory | undefined): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (!(directory?.services ?? []).some((s) => s.id === body.linkedServiceId)) {
    problems.push({ path: '$.linkedServiceId', message: `service ${body.linkedServiceId} is not in the directory` });
  }
  problems.push(...targetProblems(body.workingHours.routing, '$.workingHours.routing', directory));
  if (body.outOfHours) problems.push(...targetProblems(body.outOfHours.routing, '$.outOfHours.routing', directory));
  if (!isKnownTimeZone(body.workingHours.schedule.timeZone)) {
    problems.push({ path: '$.workingHours.schedule.timeZone', message: 'must be an IANA time zone such as America/Sao_Paulo or an offset such as GMT-03:00' });
  }
  if (body.workingHours.schedule.rules.length > 0 && !body.outOfHours) {
    problems.push({ path: '$.outOfHours', message: 'is required when the schedule has rules' });
  }
  return problems;
}
