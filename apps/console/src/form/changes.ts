import type { NumberConfiguration, Override } from '@kite/contracts';

const PARTS: [string, (c: NumberConfiguration | undefined) => unknown][] = [
  ['linked service', (c) => c?.linkedServiceId],
  ['working-hours routing', (c) => c?.workingHours.routing],
  ['time zone', (c) => c?.workingHours.schedule.timeZone],
  ['working-hours rules', (c) => c?.workingHours.schedule.rules],
  ['closures', (c) => c?.workingHours.schedule.closures],
  ['working-hours actions', (c) => c?.workingHours.actions],
  ['out-of-hours routing', (c) => c?.outOfHours?.routing],
  ['out-of-hours actions', (c) => c?.outOfHours?.actions],
];

/** C7: what differs between two states of a number, in the words of the form. */
export function changedParts(before: { configuration?: NumberConfiguration; override?: Override } | undefined, after: { configuration?: NumberConfiguration; override?: Override }): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!before?.configuration && after.configuration) return ['configured'];
  if (before?.configuration && !after.configuration) return ['configuration removed'];
  const parts = PARTS.filter(([, of]) => !same(of(before?.configuration), of(after.configuration))).map(([name]) => name);
  if (!same(before?.override, after.override)) parts.push('emergency override');
  return parts;
}
