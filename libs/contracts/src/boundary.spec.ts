import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { makeEvent } from './event-factory.js';
import { decodeEvent } from './catalog.js';
import { ExternalId, ID_PATTERN, Instant } from './primitives.js';
import { LocalDate } from './number-configuration.js';
import { unstorablePath } from './storable.js';
import { subjects } from './subjects.js';

describe('one validation at the boundary', () => {
  it('an id that passes is one subject token: no whitespace, separator or wildcard', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), (id) => {
        if (!ExternalId.safeParse(id).success) return;
        expect(subjects.conversation('acme', id).split('.')).toEqual(['kite', 'conv', 'acme', id]);
        expect(id).not.toMatch(/[\s*>]/);
      }),
    );
    for (const bad of ['a.b', '*', '>', 'a b', 'tab\there', '', 'x'.repeat(129), 'c\u0000']) expect([bad, ExternalId.safeParse(bad).success]).toEqual([bad, false]);
    for (const good of ['ag-ana', 'SM1f2e3d', 'c2lnbmF0dXJl+/=', 'user@example', 'x'.repeat(128)]) expect(ID_PATTERN.test(good)).toBe(true);
  });

  it('instants and dates are those PostgreSQL and JavaScript both keep: 1970 up to 9999', () => {
    expect(['2026-11-24T10:00:00.000Z', '1970-01-01T00:00:00Z', '9998-12-31T23:59:59Z'].map((t) => Instant.safeParse(t).success)).toEqual([true, true, true]);
    expect(['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59-14:00', '2026-02-30T00:00:00Z'].map((t) => Instant.safeParse(t).success)).toEqual([false, false, false, false]);
    expect(['2026-12-25', '0000-01-01', '9999-06-01'].map((d) => LocalDate.safeParse(d).success)).toEqual([true, false, false]);
  });

  it('finds the path of the first string, value or key, that the store refuses (NUL, an unpaired surrogate)', () => {
    expect(unstorablePath({ a: ['ok', 'emoji \ud83d\ude00', { b: 'n\u0000ul' }] })).toEqual(['a', 2, 'b']);
    expect(unstorablePath({ ['k\u0000']: 1 })).toEqual(['k\u0000']);
    expect(unstorablePath(['\ud83d alone'])).toEqual([0]);
    expect(unstorablePath('\ude00 alone')).toEqual([]);
    expect(unstorablePath({ text: 'Olá 😀', n: 1, none: null })).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), (text, at) => {
        expect(unstorablePath({ text })).toBeUndefined();
        const i = at % (text.length + 1);
        expect(unstorablePath({ text: text.slice(0, i) + '\u0000' + text.slice(i) })).toEqual(['text']);
      }),
    );
  });

  it('an event holding such a string is refused with its path (it goes to a dead letter)', () => {
    const event = makeEvent('MessageReceived', 'acme', { messageId: 'm1', from: '+15551230000', to: '+15557650000', channel: 'sms', text: 'hi\u0000', receivedAt: '2026-11-24T10:00:00.000Z' });
    expect(decodeEvent('kite.in.acme.message.received', JSON.stringify(event), ['MessageReceived'])).toEqual({ ok: false, reason: `data.text: holds a character that cannot be stored (NUL, or an unpaired UTF-16 surrogate)` });
  });
});
