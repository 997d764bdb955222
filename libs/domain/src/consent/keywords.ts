import type { ConsentReplies, ConsentSettings, KeywordKind } from '@kite/contracts';

/** P1: the keywords every tenant has, whatever it adds. */
export const DEFAULT_KEYWORDS: Readonly<Record<KeywordKind, readonly string[]>> = {
  opt_out: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT'],
  opt_in: ['START', 'UNSTOP'],
  help: ['HELP', 'INFO'],
};

/** P4: what is sent back when a tenant has set nothing else. */
export const DEFAULT_REPLIES: Readonly<Required<ConsentReplies>> = {
  optOut: 'You have been unsubscribed and will receive no more messages from this number. Reply START to subscribe again.',
  optIn: 'You have been subscribed again. Reply STOP to unsubscribe, HELP for help.',
  help: 'Reply STOP to unsubscribe, START to subscribe again.',
};

/**
 * P1: a text as keywords are compared: trimmed, without punctuation, symbols (emoji), stray marks
 * (an emoji's variation selector) or invisible format characters (a zero-width space, a BOM),
 * spaces collapsed, upper case (`" Stop!! "` → `STOP`, `opt-out` → `OPTOUT`, `STOP ❤️` → `STOP`).
 * Letters with accents stay: NFKC composes them first.
 */
export const normaliseKeyword = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\p{M}\p{Cf}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .toLocaleUpperCase('en-US');

export interface KeywordMatch {
  kind: KeywordKind;
  /** The keyword as the contact wrote it, normalised. */
  keyword: string;
  /** The language whose keyword it is, when a tenant's own. */
  language?: string | undefined;
}

const KIND_FIELDS = { opt_out: 'optOut', opt_in: 'optIn', help: 'help' } as const;

/** P1: what a message's whole text is, if it is a keyword: the defaults first, then the tenant's own, per language. */
export function keywordOf(text: string, settings: ConsentSettings | undefined): KeywordMatch | undefined {
  const keyword = normaliseKeyword(text);
  if (!keyword) return undefined;
  for (const kind of ['opt_out', 'opt_in', 'help'] as const) if (DEFAULT_KEYWORDS[kind].includes(keyword)) return { kind, keyword };
  for (const language of settings?.languages ?? []) {
    for (const kind of ['opt_out', 'opt_in', 'help'] as const) {
      if (language[KIND_FIELDS[kind]].some((k) => normaliseKeyword(k) === keyword)) return { kind, keyword, language: language.language };
    }
  }
  return undefined;
}

/** P4: the reply to a keyword: its language's text, else the tenant's, else the default. */
export function replyTo(match: KeywordMatch, settings: ConsentSettings | undefined): string {
  const field = KIND_FIELDS[match.kind];
  const language = settings?.languages.find((l) => l.language === match.language);
  return language?.replies[field] ?? settings?.replies[field] ?? DEFAULT_REPLIES[field];
}
