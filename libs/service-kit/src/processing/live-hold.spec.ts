import { describe, expect, it } from '@jest/globals';
import { LiveHold } from './live-hold.js';

describe('LiveHold: what a rebuild leaves unread', () => {
  it('holds nothing until started', () => {
    expect(new LiveHold().holds(0, true)).toBe(false);
  });

  it('holds a live message and everything after it in its partition, not the replayed ones before it nor other partitions', () => {
    const hold = new LiveHold();
    hold.start();
    expect([hold.holds(0, false), hold.holds(0, true), hold.holds(0, false), hold.holds(1, false)]).toEqual([false, true, true, false]);
    expect(hold.release()).toBe(true);
    expect(hold.holds(0, true)).toBe(false);
  });

  it('released with nothing held, nothing needs reading again', () => {
    const hold = new LiveHold();
    hold.start();
    hold.holds(2, false);
    expect(hold.release()).toBe(false);
  });
});
