import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually, TestSystem } from '@kite/testing';
import { armTimers } from '../apps/action-scheduler/src/timers/timer-store.js';

/**
 * A7: the scheduler's timer loop sleeps until its next due timer, and a timer armed elsewhere (another
 * instance) wakes it through the notice the arming transaction sends on commit, not after its longest
 * sleep (30 s). The timer here names no conversation the scheduler knows, so firing it removes it.
 */
describe('timer notices', () => {
  let system: TestSystem;
  let db: pg.Client;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['action-scheduler'] });
    db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
    await db.query('SET search_path TO scheduler');
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const timers = async (conversationId = 'conv-notice') => Number((await db.query(`SELECT count(*)::int AS n FROM timers WHERE conversation_id = $1`, [conversationId])).rows[0].n);
  /** Another instance's arming: the same statement, on a connection of its own. */
  const arm = (conversationId: string, dueAt: number) => armTimers({ query: async (sql, params) => (await db.query(sql, params as unknown[])).rows }, [{ conversationId, actionId: 'a1', tenant: 'acme', dueAt }]);

  it('A7 a timer armed by another instance, due in a second, is handled about then, with the loop asleep until its next timer', async () => {
    // The loop has a timer a day away to sleep until, so only the notice can wake it sooner.
    await arm('conv-later', Date.now() + 86_400_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const armed = Date.now();
    await arm('conv-notice', armed + 1_000);
    expect(await timers()).toBe(1);
    await eventually(async () => (await timers()) === 0, 'the timer handled', 10_000);
    expect(Date.now() - armed).toBeGreaterThanOrEqual(900);
  });

  it('A2 A7 a later timer armed after an earlier one does not put the loop to sleep past the earlier one', async () => {
    const armed = Date.now();
    await arm('conv-soon', armed + 1_500);
    await arm('conv-day-away', armed + 86_400_000);
    await eventually(async () => (await timers('conv-soon')) === 0, 'the earlier timer handled', 10_000);
    expect(Date.now() - armed).toBeGreaterThanOrEqual(1_400);
    expect(await timers('conv-day-away')).toBe(1);
  });
});
