import type { Directory, NumberConfigurationBody, RoutingTarget } from '@kite/contracts';
import { templateBodyProblem, useTemplate } from '../whatsapp/templates.js';
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

/** C2, C3, C4, W4: what a well-formed body for `number` may still get wrong against the tenant's directory. */
export function configurationProblems(body: NumberConfigurationBody, directory: Directory | undefined, number: string): ConfigurationProblem[] {
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
  const periods = [['workingHours', body.workingHours.actions], ['outOfHours', body.outOfHours?.actions ?? []]] as const;
  const ids = new Set<string>();
  for (const [period, actions] of periods) {
    actions.forEach((action, i) => problems.push(...actionProblems(action, `$.${period}.actions[${i}]`, directory, ids, number)));
  }
  return problems;
}

type BodyAction = NumberConfigurationBody['workingHours']['actions'][number];

/** C5: conditions of distinct types, unique action ids; A4, A5: the task's bot and agents exist when saved; W4: its fallback template is one of the number's. */
function actionProblems(action: BodyAction, path: string, directory: Directory | undefined, ids: Set<string>, number: string): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (action.id !== undefined) {
    if (ids.has(action.id)) problems.push({ path: `${path}.id`, message: `action id ${action.id} is used twice` });
    ids.add(action.id);
  }
  const seen = new Set<string>();
  action.conditions.forEach((c, i) => {
    if (seen.has(c.type)) problems.push({ path: `${path}.conditions[${i}].type`, message: `a second ${c.type} condition: conditions of an action have distinct types` });
    seen.add(c.type);
  });
  if (action.task.type === 'send_message' && !(directory?.bots ?? []).some((b) => b.id === (action.task as { botId: string }).botId)) {
    problems.push({ path: `${path}.task.botId`, message: `bot ${action.task.botId} is not in the directory` });
  }
  if (action.task.type === 'send_message' && action.task.fallbackTemplate) {
    const templates = directory?.numbers.find((n) => n.number === number)?.templates ?? [];
    const use = useTemplate(templates, action.task.fallbackTemplate, number);
    if (!use.ok) problems.push({ path: `${path}.task.fallbackTemplate${use.reason === 'unknown_template' ? '.name' : '.parameters'}`, message: use.detail });
  }
  if (action.task.type === 'add_members') {
    action.task.agentIds.forEach((id, i) => {
      if (!(directory?.agents ?? []).some((a) => a.id === id)) problems.push({ path: `${path}.task.agentIds[${i}]`, message: `agent ${id} is not in the directory` });
    });
  }
  return problems;
}

/**
 * A directory whose ids are unique and whose references hold: a service's agents. A dialplan SMS
 * number may lie outside the directory's numbers (a legacy call group's, O1 step 2), but not be one
 * of them that the directory says has no `sms` channel.
 */
export function directoryProblems(directory: Directory): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const duplicates = (list: readonly string[], path: (i: number) => string, what: string) => {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      if (seen.has(id)) problems.push({ path: path(i), message: `${what} ${id} appears twice` });
      seen.add(id);
    });
  };
  duplicates(directory.numbers.map((n) => n.number), (i) => `$.numbers[${i}].number`, 'number');
  duplicates(directory.services.map((x) => x.id), (i) => `$.services[${i}].id`, 'service');
  duplicates(directory.agents.map((x) => x.id), (i) => `$.agents[${i}].id`, 'agent');
  duplicates(directory.bots.map((x) => x.id), (i) => `$.bots[${i}].id`, 'bot');
  directory.numbers.forEach((n, i) => duplicates(n.channels, (j) => `$.numbers[${i}].channels[${j}]`, 'channel'));
  directory.numbers.forEach((n, i) => problems.push(...templateProblems(n, `$.numbers[${i}]`)));
  const agents = new Set(directory.agents.map((a) => a.id));
  const withoutSms = new Set(directory.numbers.filter((n) => !n.channels.includes('sms')).map((n) => n.number));
  directory.services.forEach((service, i) => {
    service.agentIds.forEach((id, j) => {
      if (!agents.has(id)) problems.push({ path: `$.services[${i}].agentIds[${j}]`, message: `agent ${id} is not in the directory's agents` });
    });
    const sms = service.dialplan.smsNumber;
    if (sms !== undefined && withoutSms.has(sms)) problems.push({ path: `$.services[${i}].dialplan.smsNumber`, message: `${sms} is a number of the directory without the sms channel` });
  });
  return problems;
}

/** W3: a number's templates: only on a WhatsApp number, each (name, language) once, parameters numbered without gaps. */
function templateProblems(number: Directory['numbers'][number], path: string): ConfigurationProblem[] {
  const templates = number.templates ?? [];
  if (templates.length && !number.channels.includes('whatsapp')) return [{ path: `${path}.templates`, message: `${number.number} has no whatsapp channel: WhatsApp templates need one` }];
  const problems: ConfigurationProblem[] = [];
  const seen = new Set<string>();
  templates.forEach((t, i) => {
    const key = `${t.name} ${t.language}`;
    if (seen.has(key)) problems.push({ path: `${path}.templates[${i}].name`, message: `template ${t.name} (${t.language}) appears twice` });
    seen.add(key);
    const body = templateBodyProblem(t.body);
    if (body) problems.push({ path: `${path}.templates[${i}].body`, message: body });
  });
  return problems;
}
