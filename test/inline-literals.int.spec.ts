import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { inlineParameters } from '@kite/persistence';
import { createTestDatabase } from '@kite/testing';

/** What a Transaction writes into its statement text reads back as the value it was given. */
describe('parameters inlined as literals, read back by PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\u0000/g, ''));

  it('any text, any array of text, any JSON object come back equal', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(text, { maxLength: 5 }), fc.dictionary(text, text, { maxKeys: 4 }), async (s, list, object) => {
        const { rows } = await client.query(inlineParameters('SELECT $1::text AS s, $2::text[] AS list, $3::jsonb AS object', [s, list, object]));
        expect(rows[0]).toEqual({ s, list, object });
      }),
      { numRuns: 300 },
    );
  });
});
