const PUNCTUATION = /[\s().\-\u00a0]/g;

/**
 * L1: contact numbers are compared in E.164, so `+1 (555) 123-4567` and `+15551234567` are one
 * contact. Accepts spaces, dots, dashes and parentheses around the digits and a leading `00` for
 * `+`; returns undefined when what is left is not E.164.
 */
export function normaliseE164(raw: string): string | undefined {
  let s = raw.trim().replace(PUNCTUATION, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  return /^\+[1-9]\d{7,14}$/.test(s) ? s : undefined;
}
