import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { withNew } from './lists.js';

describe('withNew', () => {
  const items = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 5 });

  it('keeps the list in front, appends what it lacks in order and once, and gives back the list itself when it lacks nothing', () => {
    fc.assert(
      fc.property(items.map((l) => [...new Set(l)]), items, (list, more) => {
        const result = withNew(list, more);
        expect(result.slice(0, list.length)).toEqual(list);
        expect(result.slice(list.length)).toEqual([...new Set(more.filter((x) => !list.includes(x)))]);
        expect(result === list).toBe(more.every((x) => list.includes(x)));
      }),
    );
  });
});
