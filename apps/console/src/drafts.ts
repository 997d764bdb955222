import type { NumberConfigurationBody } from '@kite/contracts';
import type { NumberView } from './api.js';

/**
 * A number's draft not saved yet, with the version it was made on: kept in this tab, so that an
 * administrator whose token expires mid-edit signs in again and finds it. Saving it is checked
 * against that version, so a change someone made meanwhile is shown, not overwritten.
 */
export interface KeptDraft {
  base: NumberView;
  draft: NumberConfigurationBody;
}

/** Whose draft: a draft is only ever offered back to its author, in the tenant it was made in. */
export interface Author {
  tenant: string;
  sub: string;
}

const PREFIX = 'kite-console-draft ';
const keyOf = (author: Author, number: string) => `${PREFIX}${JSON.stringify([author.tenant, author.sub, number])}`;

/** Keeps the draft, or forgets it (saved, cancelled, or the same as the saved configuration). */
export function keepDraft(author: Author, number: string, kept: KeptDraft | undefined): void {
  if (kept) sessionStorage.setItem(keyOf(author, number), JSON.stringify(kept));
  else sessionStorage.removeItem(keyOf(author, number));
}

/** The draft its author left on this number, if any. */
export function keptDraft(author: Author, number: string): KeptDraft | undefined {
  const kept = sessionStorage.getItem(keyOf(author, number));
  if (!kept) return undefined;
  try {
    return JSON.parse(kept) as KeptDraft;
  } catch {
    return undefined;
  }
}

/** Forgets every draft of this tab (signing out on purpose). */
export function forgetDrafts(): void {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
}
