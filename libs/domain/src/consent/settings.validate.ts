import type { ConsentSettings, KeywordKind } from '@kite/contracts';
import type { ConfigurationProblem } from '../configuration/configuration.validate.js';
import { DEFAULT_KEYWORDS, normaliseKeyword } from './keywords.js';

const FIELDS = [
  ['optOut', 'opt_out'],
  ['optIn', 'opt_in'],
  ['help', 'help'],
] as const;
const NAMES: Record<KeywordKind, string> = { opt_out: 'an opt-out', opt_in: 'an opt-in', help: 'a HELP' };

/**
 * P1: a tenant's keywords that could never work as written: one with nothing left to compare
 * once normalised, one that already means something else (a default of another kind, or the
 * tenant's own elsewhere), a language listed twice. Repeating a default of the same kind is harmless.
 */
export function consentSettingsProblems(settings: ConsentSettings): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const meaning = new Map<string, { kind: KeywordKind; where: string }>();
  for (const kind of ['opt_out', 'opt_in', 'help'] as const) for (const k of DEFAULT_KEYWORDS[kind]) meaning.set(k, { kind, where: 'the defaults' });
  const languages = new Set<string>();
  settings.languages.forEach((language, i) => {
    if (languages.has(language.language)) problems.push({ path: `$.languages[${i}].language`, message: `${language.language} appears twice` });
    languages.add(language.language);
    for (const [field, kind] of FIELDS) {
      language[field].forEach((keyword, j) => {
        const path = `$.languages[${i}].${field}[${j}]`;
        const normalised = normaliseKeyword(keyword);
        const known = meaning.get(normalised);
        if (!normalised) problems.push({ path, message: 'has no letters or digits once punctuation and symbols are left out: it could never match' });
        else if (known && known.kind !== kind) problems.push({ path, message: `${normalised} is already ${NAMES[known.kind]} keyword (${known.where})` });
        else if (!known) meaning.set(normalised, { kind, where: language.language });
      });
    }
  });
  return problems;
}
