import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { WakeableSleep } from './wakeable-sleep.js';

describe('A7 the timer loop never sleeps past an armed timer', () => {
  beforeEach(() => void jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void jest.useRealTimers());

  const settled = async (sleep: Promise<void>) => {
    let done = false;
    void sleep.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return () => done;
  };

  it('a wake-up for an earlier time cuts a sleep short, to that time', async () => {
    const alarm = new WakeableSleep();
    const done = await settled(alarm.sleep(30_000));
    alarm.wake(Date.now() + 2_000);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(done()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done()).toBe(true);
  });

  it('a wake-up that comes while nobody sleeps shortens the next sleep instead of being lost', async () => {
    const alarm = new WakeableSleep();
    alarm.wake(); // armed while the loop was busy: due now
    const done = await settled(alarm.sleep(30_000));
    await jest.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    // Taken once: the sleep after it is whole again.
    const next = await settled(alarm.sleep(30_000));
    await jest.advanceTimersByTimeAsync(29_999);
    expect(next()).toBe(false);
  });

  it('a wake-up for a later time changes nothing', async () => {
    const alarm = new WakeableSleep();
    const done = await settled(alarm.sleep(1_000));
    alarm.wake(Date.now() + 5_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(done()).toBe(true);
  });
});
