import type { TemplateRef, WhatsAppTemplate } from '@kite/contracts';

const PARAMETER = /\{\{(\d+)\}\}/g;

/** The numbers of a body's parameters (`{{1}}` → 1), in order of appearance. */
const parameterNumbers = (body: string): number[] => [...body.matchAll(PARAMETER)].map((m) => Number(m[1]));

/** W3: how many parameters a template takes: its highest `{{n}}`. */
export const parameterCount = (body: string): number => Math.max(0, ...parameterNumbers(body));

/** W3: what is wrong with a template's body, if anything: its parameters must be numbered 1, 2, … without gaps. */
export function templateBodyProblem(body: string): string | undefined {
  const odd = [...body.matchAll(PARAMETER)].find((m) => m[1] === '0' || m[1]!.startsWith('0'));
  if (odd) return `${odd[0]} is not a parameter: parameters are numbered {{1}}, {{2}}, …`;
  const used = new Set(parameterNumbers(body));
  const count = parameterCount(body);
  for (let n = 1; n <= count; n++) if (!used.has(n)) return `uses {{${count}}} but not {{${n}}}: parameters are numbered from {{1}} without gaps`;
  return undefined;
}

/** The body with each `{{n}}` replaced by the n-th parameter. */
export const renderTemplate = (body: string, parameters: readonly string[]): string => body.replace(PARAMETER, (whole, n: string) => parameters[Number(n) - 1] ?? whole);

export type TemplateUse = { ok: true; template: WhatsAppTemplate; text: string } | { ok: false; reason: 'unknown_template' | 'template_parameters'; detail: string };

/**
 * W3: a template named in a message, among a number's approved templates: it must be there (name
 * and language) and be given exactly as many parameters as its body numbers.
 */
export function useTemplate(templates: readonly WhatsAppTemplate[], ref: TemplateRef, number: string): TemplateUse {
  const template = templates.find((t) => t.name === ref.name && t.language === ref.language);
  if (!template) return { ok: false, reason: 'unknown_template', detail: `${number} has no approved template ${ref.name} (${ref.language})` };
  const wanted = parameterCount(template.body);
  if (ref.parameters.length !== wanted) return { ok: false, reason: 'template_parameters', detail: `template ${ref.name} (${ref.language}) takes ${wanted} parameter(s), not ${ref.parameters.length}` };
  return { ok: true, template, text: renderTemplate(template.body, ref.parameters) };
}
