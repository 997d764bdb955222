import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConsentSettings } from '@kite/contracts';
import { DEFAULT_KEYWORDS, DEFAULT_REPLIES, keywordOf, normaliseKeyword, replyTo } from './keywords.js';

const settings = ConsentSettings.parse({
  languages: [{ language: 'es', optOut: ['BAJA', 'no más'], optIn: ['ALTA'], help: ['AYUDA'], replies: { optOut: 'Te has dado de baja.' } }],
  replies: { help: 'Call us at 555-0100.' },
});
const punctuation = fc.constantFrom('', '.', '!', '!!', '?', ',', '...', '*', '"', '🙂');
const space = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \u00a0');

/** A keyword as a contact may type it: any case, punctuation and spaces around and inside its words. */
const typed = (keyword: string) =>
  fc
    .tuple(space, punctuation, fc.array(fc.boolean(), { minLength: keyword.length, maxLength: keyword.length }), punctuation, space)
    .map(([before, p1, upper, p2, after]) => `${before}${p1}${[...keyword].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('')}${p2}${after}`);

describe('P1 consent keywords', () => {
  it('P1 every default keyword is recognised whatever its case, punctuation and surrounding spaces', () => {
    for (const kind of ['opt_out', 'opt_in', 'help'] as const) {
      for (const keyword of DEFAULT_KEYWORDS[kind]) {
        fc.assert(fc.property(typed(keyword), (text) => expect(keywordOf(text, undefined)).toEqual({ kind, keyword })));
      }
    }
  });

  it('P1 only the whole text counts: a sentence that holds a keyword is an ordinary message', () => {
    for (const text of ['please stop', 'stop it now', 'STOP STOP', 'I want to unsubscribe', 'help me', 'start over', '']) expect(keywordOf(text, undefined)).toBeUndefined();
  });

  it('P1 "OPT OUT", "opt-out" and "OptOut" are the same keyword: punctuation goes, spaces collapse', () => {
    expect(keywordOf('Opt   out.', undefined)).toEqual({ kind: 'opt_out', keyword: 'OPT OUT' });
    expect(keywordOf('opt-out', undefined)).toEqual({ kind: 'opt_out', keyword: 'OPTOUT' });
    expect(normaliseKeyword('  Stop!! ')).toBe('STOP');
  });

  it("P1 a tenant's keywords, per language, are recognised besides the defaults", () => {
    expect(keywordOf('baja', settings)).toEqual({ kind: 'opt_out', keyword: 'BAJA', language: 'es' });
    expect(keywordOf('No más!', settings)).toEqual({ kind: 'opt_out', keyword: 'NO MÁS', language: 'es' });
    expect(keywordOf('Alta', settings)).toEqual({ kind: 'opt_in', keyword: 'ALTA', language: 'es' });
    expect(keywordOf('baja', undefined)).toBeUndefined();
  });

  it("P4 the reply is the keyword's language's text, else the tenant's, else the default", () => {
    expect(replyTo({ kind: 'opt_out', keyword: 'BAJA', language: 'es' }, settings)).toBe('Te has dado de baja.');
    expect(replyTo({ kind: 'opt_in', keyword: 'ALTA', language: 'es' }, settings)).toBe(DEFAULT_REPLIES.optIn);
    expect(replyTo({ kind: 'help', keyword: 'HELP' }, settings)).toBe('Call us at 555-0100.');
    expect(replyTo({ kind: 'opt_out', keyword: 'STOP' }, undefined)).toBe(DEFAULT_REPLIES.optOut);
  });
});

describe('P1 what a phone adds to a keyword', () => {
  it('P1 an emoji with its variation selector, a zero-width space or a byte-order mark leave the keyword a keyword', () => {
    for (const text of ['STOP ❤️', 'STOP\u200b', '\ufeffSTOP', 'stop 👍🏽', 'ＳＴＯＰ']) expect([text, keywordOf(text, undefined)?.kind]).toEqual([text, 'opt_out']);
  });
});
