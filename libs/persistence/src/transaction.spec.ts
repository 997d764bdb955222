import { describe, expect, it } from '@jest/globals';
import { inlineParameters } from './transaction.js';

describe('parameters written into a statement as literals', () => {
  it('writes strings quoted, with quotes and backslashes escaped', () => {
    expect(inlineParameters('SELECT $1, $2', ["it's", 'a\\b'])).toBe(`SELECT 'it''s',  E'a\\\\b'`);
  });

  it('writes numbers, booleans and null as they are', () => {
    expect(inlineParameters('SELECT $1, $2, $3, $4', [42, 1.5, true, null])).toBe('SELECT 42, 1.5, true, NULL');
  });

  it('writes arrays as ARRAY[...] and objects as JSON text', () => {
    expect(inlineParameters('SELECT $1::text[], $2::bigint[], $3::jsonb', [['a', "b'"], [1, 2], { x: "y'" }])).toBe(`SELECT ARRAY['a','b''']::text[], ARRAY[1,2]::bigint[], '{"x":"y''"}'::jsonb`);
  });

  it('tells $1 from $10', () => {
    const params = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParameters('SELECT $1, $10', params)).toBe('SELECT 1, 10');
  });

  it('refuses what it cannot write exactly', () => {
    expect(() => inlineParameters('SELECT $2', [1])).toThrow(/names \$2/);
    expect(() => inlineParameters('SELECT $1', [Number.NaN])).toThrow();
    expect(() => inlineParameters('SELECT $1', [[[1]]])).toThrow(/nested/);
  });
});
