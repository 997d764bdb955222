import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openServiceDatabase } from '@kite/persistence';
import { scratchDatabase } from '@kite/testing';
import { ConversationServices1733500000000 } from './conversations/conversation-links.js';
import { ContactsProcessor1733900000100, LINKING_MIGRATIONS } from './migrations.js';

/** A linking that ran before the detaching joined its configuration processor keeps what L6 needs. */
describe('linking migrations', () => {
  const database = scratchDatabase((url, migrations: typeof LINKING_MIGRATIONS) => openServiceDatabase({ url, schema: 'linking_migrations', migrations, poolSize: 1 }));
  beforeAll(() => database.create());
  afterAll(() => database.drop());

  it('L6 each conversation takes its service from the view where it has one; the configuration is read again from where the detaching stood', async () => {
    const before = await database.open(LINKING_MIGRATIONS.filter((m) => m !== ConversationServices1733500000000 && m !== ContactsProcessor1733900000100));
    await before.query(`INSERT INTO conversations (conversation_id, tenant, contact, service_id, number, origin, links, created_at) VALUES ('c1', 'acme', '+15550101', 'svc-a', '+15550001', 'inbound', '{sms:+15550001}', now())`);
    await before.query(`INSERT INTO conversation_links (conversation_id, tenant, number, links) VALUES ('c1', 'acme', '+15550001', '{sms:+15550001}'), ('c2', 'acme', '+15550001', '{sms:+15550001}')`);
    await before.query(`INSERT INTO checkpoints (processor, partition, stream, position) VALUES ('config', 0, 'KITE_CONFIG', 50), ('linked-services', 0, 'KITE_CONFIG', 40), ('messages', 3, 'KITE_IN', 7)`);
    await before.query(`INSERT INTO partition_leases (processor, partition, owner, expires_at) VALUES ('linked-services', 0, 'host:1', now()), ('config', 0, 'host:1', now())`);
    await before.destroy();

    const after = await database.open(LINKING_MIGRATIONS.filter((m) => m !== ContactsProcessor1733900000100));
    expect(await after.query(`SELECT conversation_id, service_id FROM conversation_links ORDER BY conversation_id`)).toEqual([
      { conversation_id: 'c1', service_id: 'svc-a' },
      { conversation_id: 'c2', service_id: null },
    ]);
    expect(await after.query(`SELECT processor, position::int FROM checkpoints ORDER BY processor`)).toEqual([
      { processor: 'config', position: 40 },
      { processor: 'messages', position: 7 },
    ]);
    expect(await after.query(`SELECT processor FROM partition_leases`)).toEqual([{ processor: 'config' }]);
  });

  it('L3–L5 the contacts processor starts each partition where the earliest of the messages, the calls and the agents\' requests stood', async () => {
    const before = await database.open(LINKING_MIGRATIONS.filter((m) => m !== ContactsProcessor1733900000100));
    await before.query(`DELETE FROM checkpoints`);
    await before.query(`DELETE FROM partition_leases`);
    await before.query(
      `INSERT INTO checkpoints (processor, partition, stream, position) VALUES
         ('messages', 0, 'KITE_IN', 90), ('calls', 0, 'KITE_IN', 80), ('messages', 1, 'KITE_IN', 95), ('calls', 1, 'KITE_IN', 99),
         ('chat', 0, 'KITE_IN', 97), ('chat', 1, 'KITE_IN', 85), ('config', 0, 'KITE_CONFIG', 5)`,
    );
    await before.query(`INSERT INTO partition_leases (processor, partition, owner, expires_at) VALUES ('messages', 0, 'host:1', now()), ('chat', 0, 'host:1', now())`);
    await before.destroy();

    const after = await database.open(LINKING_MIGRATIONS);
    expect(await after.query(`SELECT processor, partition, position::int FROM checkpoints ORDER BY processor, partition`)).toEqual([
      { processor: 'chat', partition: 0, position: 97 },
      { processor: 'chat', partition: 1, position: 85 },
      { processor: 'config', partition: 0, position: 5 },
      { processor: 'contacts', partition: 0, position: 80 },
      { processor: 'contacts', partition: 1, position: 85 },
    ]);
    expect(await after.query(`SELECT processor FROM partition_leases`)).toEqual([{ processor: 'chat' }]);
    await after.destroy();
  });
});
