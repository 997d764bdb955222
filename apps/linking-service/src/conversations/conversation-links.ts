import { write, type MigrationInterface, type QueryRunner, type Read, type Transaction, type Writes } from '@kite/persistence';
import { subjects, type AnyEnvelope, type ConversationCreated } from '@kite/contracts';
import type { Decision } from '@kite/messaging';
import { evolveLinking, type LinkingConversation } from '@kite/domain';

/**
 * What the decider that creates conversations (inbound messages L3, calls L4, agents' requests
 * L5: `ContactsProcessor`) must know at once, not when the read model catches up: which
 * conversations exist, on which number and links, and which provider message ids were handled.
 * Written with the decisions' checkpoints; the read model is the projection's alone, so the two
 * never wait on each other.
 */
export class ConversationLinks1732400000700 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE conversation_links (conversation_id text PRIMARY KEY, tenant text NOT NULL, number text NOT NULL, links text[] NOT NULL)`);
    await q.query(`CREATE TABLE handled_messages (tenant text NOT NULL, message_id text NOT NULL, PRIMARY KEY (tenant, message_id))`);
    await q.query(`INSERT INTO conversation_links (conversation_id, tenant, number, links) SELECT conversation_id, tenant, number, links FROM conversations`);
    await q.query(`INSERT INTO handled_messages (tenant, message_id) SELECT tenant, body->>'messageId' FROM timeline WHERE kind = 'contact_message' UNION SELECT tenant, message_id FROM rejected_messages`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE handled_messages, conversation_links`);
  }
}

/** L6: the service of each conversation, so its detaching finds it the moment it is created, not when the read model has it. */
export class ConversationServices1733500000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation_links ADD COLUMN service_id text`);
    await q.query(`UPDATE conversation_links l SET service_id = c.service_id FROM conversations c WHERE c.conversation_id = l.conversation_id`);
    await q.query(`CREATE INDEX conversation_links_by_service ON conversation_links (tenant, service_id)`);
    // The detaching is now part of linking's configuration processor ('config'). Where the detaching
    // stood behind it, the configuration is read again from there (applying a change twice changes
    // nothing), so that no change of a number misses its detaching.
    await q.query(
      `UPDATE checkpoints c SET position = d.position FROM checkpoints d
        WHERE c.processor = 'config' AND d.processor = 'linked-services' AND d.partition = c.partition AND d.position < c.position`,
    );
    await q.query(`DELETE FROM checkpoints WHERE processor = 'linked-services'`);
    await q.query(`DELETE FROM partition_leases WHERE processor = 'linked-services'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation_links DROP COLUMN service_id`);
  }
}

/**
 * L4: the calls handled, so that a call published again (or read again) is appended once, as a
 * provider message is (`handled_messages`); those handled before are in the timeline.
 */
export class HandledCalls1733900000050 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE handled_calls (tenant text NOT NULL, call_id text NOT NULL, PRIMARY KEY (tenant, call_id))`);
    await q.query(`INSERT INTO handled_calls (tenant, call_id) SELECT tenant, body->>'callId' FROM timeline WHERE kind = 'call' ON CONFLICT DO NOTHING`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE handled_calls`);
  }
}

export interface ConversationLink {
  conversationId: string;
  tenant: string;
  /** Undefined only for a conversation linked before its service was kept here and not in the read model then. */
  serviceId: string | undefined;
  number: string | undefined;
  links: readonly string[];
}

/** The links of the conversations asked for that exist. */
export function conversationLinks(conversationIds: readonly string[]): Read<Map<string, ConversationLink>> {
  return {
    statement: { sql: `SELECT conversation_id, tenant, service_id, number, links FROM conversation_links WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
    decode: (rows) => new Map((rows as LinkRow[]).map((r) => [r.conversation_id, linkOfRow(r)])),
  };
}

interface LinkRow {
  conversation_id: string;
  tenant: string;
  service_id: string | null;
  number: string | null;
  links: string[];
}

const linkOfRow = (r: LinkRow): ConversationLink => ({ conversationId: r.conversation_id, tenant: r.tenant, serviceId: r.service_id ?? undefined, number: r.number ?? undefined, links: r.links });

/**
 * L6: the conversations of the service that have a link on the number, with the numbers each was
 * detached from (as the read model has them: a conversation it has not reached yet was detached
 * from none). A conversation linked before the service was kept here has it from the read model.
 */
export async function conversationsOfService(tx: Transaction, tenant: string, serviceId: string, number: string): Promise<(ConversationLink & { serviceId: string; detached: string[] })[]> {
  const rows = (await tx.query(
    `SELECT l.conversation_id, l.tenant, coalesce(l.service_id, c.service_id) AS service_id, l.number, l.links, c.detached
       FROM conversation_links l LEFT JOIN conversations c ON c.conversation_id = l.conversation_id
      WHERE l.tenant = $1 AND coalesce(l.service_id, c.service_id) = $2 AND EXISTS (SELECT 1 FROM unnest(l.links) AS link WHERE link LIKE '%:' || $3)`,
    [tenant, serviceId, number],
  )) as (LinkRow & { service_id: string; detached: string[] | null })[];
  return rows.map((r) => ({ ...linkOfRow(r), serviceId: r.service_id, detached: r.detached ?? [] }));
}

export const linkingConversationOf = (link: ConversationLink | undefined): LinkingConversation => (link ? { status: 'open', conversationId: link.conversationId, links: link.links } : { status: 'none' });

/** Records conversations created or linked; links only grow. */
export async function saveConversationLinks(tx: Writes, links: readonly ConversationLink[]): Promise<void> {
  if (links.length === 0) return;
  await write(
    tx,
    `INSERT INTO conversation_links (conversation_id, tenant, service_id, number, links)
     SELECT "conversationId", tenant, "serviceId", number, links FROM jsonb_to_recordset($1::jsonb) AS x("conversationId" text, tenant text, "serviceId" text, number text, links text[])
     ON CONFLICT (conversation_id) DO UPDATE SET service_id = coalesce(conversation_links.service_id, EXCLUDED.service_id), links = conversation_links.links || ARRAY(SELECT l FROM unnest(EXCLUDED.links) AS l WHERE NOT l = ANY(conversation_links.links))`,
    [JSON.stringify([...new Map(links.map((l) => [l.conversationId, l])).values()])],
  );
}

/** A provider's message or a call, by its id: what the contacts processor handles once. */
export interface Handled {
  kind: 'message' | 'call';
  tenant: string;
  id: string;
}

export const handledKey = ({ kind, tenant, id }: Handled): string => `${kind} ${tenant} ${id}`;

const TABLES = { message: { table: 'handled_messages', column: 'message_id' }, call: { table: 'handled_calls', column: 'call_id' } } as const;

/** Which of the ids were handled before (`handledKey`), one kind at a time. */
export function handledBefore(kind: Handled['kind'], asked: readonly Handled[]): Read<Set<string>> {
  const { table, column } = TABLES[kind];
  const ofKind = asked.filter((h) => h.kind === kind);
  const keys = new Set(ofKind.map(handledKey));
  return {
    // The tenants' and the ids' rows, matched in decode: a join with unnest costs PostgreSQL several times the planning.
    statement: { sql: `SELECT tenant, ${column} AS id FROM ${table} WHERE tenant = ANY($1::text[]) AND ${column} = ANY($2::text[])`, params: [[...new Set(ofKind.map((h) => h.tenant))], ofKind.map((h) => h.id)] },
    decode: (rows) => new Set((rows as { tenant: string; id: string }[]).map((r) => handledKey({ kind, tenant: r.tenant, id: r.id })).filter((key) => keys.has(key))),
  };
}

/** Records messages and calls as handled. */
export async function markHandled(tx: Writes, handled: readonly Handled[]): Promise<void> {
  for (const kind of ['message', 'call'] as const) {
    const ofKind = handled.filter((h) => h.kind === kind);
    if (ofKind.length === 0) continue;
    const { table, column } = TABLES[kind];
    await write(tx, `INSERT INTO ${table} (tenant, ${column}) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [ofKind.map((h) => h.tenant), ofKind.map((h) => h.id)]);
  }
}

/** The conversation's links after a decision (its events in order); undefined when it changed none. */
export function linkAfter(before: ConversationLink | undefined, events: readonly { type: string }[]): ConversationLink | undefined {
  const after = events.reduce<LinkingConversation>(evolveLinking, linkingConversationOf(before));
  if (after.status !== 'open' || (before && after.links.length === before.links.length)) return undefined;
  const created = events.find((e): e is ConversationCreated => e.type === 'ConversationCreated');
  return before ? { ...before, links: [...after.links] } : { conversationId: after.conversationId, tenant: created!.tenant, serviceId: created!.data.serviceId, number: created!.data.number, links: [...after.links] };
}

/**
 * The links of a batch's conversations as its decisions, taken in order, leave them: each decision
 * sees the conversations the ones before it created or linked.
 */
export class BatchLinks {
  private readonly changed = new Map<string, ConversationLink>();

  constructor(private readonly known: Map<string, ConversationLink>) {}

  get(conversationId: string): ConversationLink | undefined {
    return this.known.get(conversationId);
  }

  /** A decision about the conversation, to record. */
  decided(tenant: string, conversationId: string, events: readonly AnyEnvelope[]): Decision {
    const before = this.known.get(conversationId);
    const link = linkAfter(before, events);
    if (link) {
      this.known.set(conversationId, link);
      this.changed.set(conversationId, link);
    }
    return { subject: subjects.conversation(tenant, conversationId), events };
  }

  /** Records what the batch's decisions created or linked. */
  save(tx: Writes): Promise<void> {
    return saveConversationLinks(tx, [...this.changed.values()]);
  }
}
