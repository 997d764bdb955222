import { PROCESSOR_MIGRATIONS, type MigrationInterface, type QueryRunner } from '@kite/persistence';
import { CONFIG_READ_MODEL_MIGRATIONS } from '@kite/service-kit';
import { ConversationLinks1732400000700, ConversationServices1733500000000, HandledCalls1733900000050 } from './conversations/conversation-links.js';
import { NumberDetachings1733900000000 } from './conversations/number-links.js';

/** Linking's read model: conversations by (tenant, contact, service) (L1), their timeline, rejected messages (L2). */
export class LinkingReadModel1732400000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE conversations (
      conversation_id text PRIMARY KEY, tenant text NOT NULL, contact text NOT NULL, service_id text NOT NULL,
      number text NOT NULL, origin text NOT NULL, links text[] NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL,
      UNIQUE (tenant, contact, service_id))`);
    await q.query(`CREATE TABLE timeline (
      tenant text NOT NULL, item_id text NOT NULL, conversation_id text NOT NULL, kind text NOT NULL,
      channel text NOT NULL, at timestamptz NOT NULL, body jsonb NOT NULL, PRIMARY KEY (tenant, item_id))`);
    await q.query(`CREATE INDEX timeline_by_conversation ON timeline (conversation_id, at)`);
    await q.query(`CREATE TABLE rejected_messages (tenant text NOT NULL, message_id text NOT NULL, reason text NOT NULL, message jsonb NOT NULL, PRIMARY KEY (tenant, message_id))`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rejected_messages, timeline, conversations`);
  }
}

/** Members, detached numbers and the last contact channel (L5, L6, O1); outbound decisions by message id (O2). */
export class LinkingOutbound1732400000600 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations ADD COLUMN members text[] NOT NULL DEFAULT '{}', ADD COLUMN detached text[] NOT NULL DEFAULT '{}', ADD COLUMN last_channel text`);
    await q.query(`CREATE TABLE outbound_messages (tenant text NOT NULL, message_id text NOT NULL, conversation_id text NOT NULL, event_id text NOT NULL, PRIMARY KEY (tenant, message_id))`);
    await q.query(`CREATE TABLE number_links (tenant text NOT NULL, number text NOT NULL, linked_service_id text, seq bigint NOT NULL, PRIMARY KEY (tenant, number))`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE number_links, outbound_messages`);
    await q.query(`ALTER TABLE conversations DROP COLUMN members, DROP COLUMN detached, DROP COLUMN last_channel`);
  }
}

/** A conversation may be created before any number can serve it (L4, L5); a reply then leaves on the channel it was created on (O1). */
export class NumberlessConversations1732400000800 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations ALTER COLUMN number DROP NOT NULL, ADD COLUMN channel text`);
    await q.query(`ALTER TABLE conversation_links ALTER COLUMN number DROP NOT NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM conversation_links WHERE number IS NULL`);
    await q.query(`DELETE FROM conversations WHERE number IS NULL`);
    await q.query(`ALTER TABLE conversation_links ALTER COLUMN number SET NOT NULL`);
    await q.query(`ALTER TABLE conversations ALTER COLUMN number SET NOT NULL, DROP COLUMN channel`);
  }
}

/** W1: until when a conversation's WhatsApp window is open (a conversation from before it: closed until the contact writes, or a rebuild). */
export class WhatsAppWindow1733400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations ADD COLUMN whatsapp_window_until timestamptz`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations DROP COLUMN whatsapp_window_until`);
  }
}

/**
 * One processor ('contacts') takes the inbound messages ('messages'), the calls ('calls') and the
 * agents' requests (from 'chat'). Each of its partitions starts where the earliest of them stood:
 * what is read again is not handled twice: messages and calls are claimed by their ids
 * (`handled_messages`, `handled_calls`), and an agent's request for a conversation that exists
 * changes nothing for an agent already a member.
 */
export class ContactsProcessor1733900000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO checkpoints (processor, partition, stream, position)
       SELECT 'contacts', partition, stream, LEAST(min(position), (SELECT min(position) FROM checkpoints WHERE processor = 'chat'))
         FROM checkpoints WHERE processor IN ('messages', 'calls') GROUP BY partition, stream`,
    );
    for (const table of ['checkpoints', 'partition_leases', 'handled_marks', 'processor_partitions']) await q.query(`DELETE FROM ${table} WHERE processor IN ('messages', 'calls')`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const processor of ['messages', 'calls']) await q.query(`INSERT INTO checkpoints (processor, partition, stream, position) SELECT $1, partition, stream, position FROM checkpoints WHERE processor = 'contacts'`, [processor]);
    await q.query(`DELETE FROM checkpoints WHERE processor = 'contacts'`);
    await q.query(`DELETE FROM partition_leases WHERE processor = 'contacts'`);
  }
}

export const LINKING_SCHEMA = 'linking';
export const LINKING_MIGRATIONS = [...PROCESSOR_MIGRATIONS, ...CONFIG_READ_MODEL_MIGRATIONS, LinkingReadModel1732400000100, LinkingOutbound1732400000600, ConversationLinks1732400000700, NumberlessConversations1732400000800, WhatsAppWindow1733400000000, ConversationServices1733500000000, NumberDetachings1733900000000, HandledCalls1733900000050, ContactsProcessor1733900000100];
