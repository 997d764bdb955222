import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ConfigCache } from '@kite/service-kit';
import { createTestDatabase } from '@kite/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The configuration lookups a batch makes, cached per version of the read model, on a real PostgreSQL. */
describe('configuration cache', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: pg.Client;
  const query = async (sql: string, params?: readonly unknown[]) => (await db.query(sql, params as unknown[])).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await query(`CREATE TABLE config_version (id int PRIMARY KEY, version bigint NOT NULL); INSERT INTO config_version VALUES (1, 0)`);
    await query(`CREATE TABLE directory_numbers (tenant text, number text, channels text[], PRIMARY KEY (tenant, number))`);
    await query(`CREATE TABLE number_configurations (tenant text, number text, status text, configuration jsonb, override jsonb, seq bigint, PRIMARY KEY (tenant, number))`);
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  /** Each test has its own number, on SMS only at first. */
  let numbers = 0;
  const newNumber = async () => {
    const number = `+1555000${++numbers}`;
    await query(`INSERT INTO directory_numbers VALUES ('acme', $1, '{sms}')`, [number]);
    return number;
  };
  /** What a configuration consumer does: change the row and bump the version, in one transaction. */
  const changeChannels = async (number: string, channels: string[]) => {
    await query('BEGIN');
    await query(`UPDATE directory_numbers SET channels = $2 WHERE number = $1`, [number, channels]);
    await query(`UPDATE config_version SET version = version + 1`);
    await query('COMMIT');
  };
  const channelsSeen = async (cache: ConfigCache, number: string) => (await (await cache.lookups({ query })).number('acme', number))?.channels;

  it('reads a number once while the version stays', async () => {
    const cache = new ConfigCache();
    const number = await newNumber();
    expect(await channelsSeen(cache, number)).toEqual(['sms']);
    // A change without a version bump (the read model never makes one) shows the cache answers.
    await query(`UPDATE directory_numbers SET channels = '{sms,whatsapp}' WHERE number = $1`, [number]);
    await sleep(150);
    expect(await channelsSeen(cache, number)).toEqual(['sms']);
  });

  it("sees another instance's change within 100 ms", async () => {
    const cache = new ConfigCache();
    const number = await newNumber();
    expect(await channelsSeen(cache, number)).toEqual(['sms']);
    await changeChannels(number, ['sms', 'whatsapp']);
    await sleep(150);
    expect(await channelsSeen(cache, number)).toEqual(['sms', 'whatsapp']);
  });

  it("sees this process's own change at once", async () => {
    const cache = new ConfigCache();
    const number = await newNumber();
    expect(await channelsSeen(cache, number)).toEqual(['sms']);
    await changeChannels(number, ['whatsapp']);
    cache.changed();
    expect(await channelsSeen(cache, number)).toEqual(['whatsapp']);
  });
});
