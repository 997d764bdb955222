import { describe, expect, it } from '@jest/globals';
import { goMaxProcsFor } from './nats-server.js';

describe('goMaxProcsFor: the local nats-server gets half the cores', () => {
  it('gives one thread on one or two cores, half of them beyond', () => {
    expect([1, 2, 3, 4, 8, 16].map((cores) => goMaxProcsFor(cores, undefined))).toEqual(['1', '1', '1', '2', '4', '8']);
  });

  it('keeps what the environment sets', () => {
    expect(goMaxProcsFor(2, '4')).toBe('4');
    expect(goMaxProcsFor(8, ' ')).toBe('4');
  });
});
