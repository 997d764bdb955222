import { read, write, type Queryable, type Read, type Writes } from '@kite/persistence';
import type { ConversationView, OutboundRecord, TimelineItem } from './conversation-view.js';

/**
 * Linking's read model (conversations, their timeline, outbound decisions), written only by the
 * conversation-log projection: each table once per batch, whatever the batch holds.
 */

interface ConversationRow {
  conversation_id: string;
  tenant: string;
  contact: string;
  service_id: string;
  number: string | null;
  channel: 'sms' | 'whatsapp' | 'call' | null;
  origin: string;
  links: string[];
  members: string[];
  detached: string[];
  last_channel: 'sms' | 'whatsapp' | null;
  whatsapp_window_until: Date | null;
  created_at: Date;
}

const viewOf = (r: ConversationRow): ConversationView => ({
  conversationId: r.conversation_id,
  tenant: r.tenant,
  contact: r.contact,
  serviceId: r.service_id,
  number: r.number ?? undefined,
  channel: r.channel ?? undefined,
  origin: r.origin,
  links: r.links,
  members: r.members,
  detached: r.detached,
  lastChannel: r.last_channel ?? undefined,
  whatsappWindowUntil: r.whatsapp_window_until?.getTime(),
  createdAt: r.created_at.toISOString(),
});

export async function findConversation(db: Queryable, conversationId: string): Promise<ConversationView | undefined> {
  return (await read(db, conversationViews([conversationId]))).get(conversationId);
}

/** The conversations asked for that exist. */
export function conversationViews(conversationIds: readonly string[]): Read<Map<string, ConversationView>> {
  return {
    statement: { sql: `SELECT * FROM conversations WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
    decode: (rows) => new Map((rows as ConversationRow[]).map((r) => [r.conversation_id, viewOf(r)])),
  };
}

export async function saveConversationViews(tx: Writes, views: readonly ConversationView[]): Promise<void> {
  if (views.length === 0) return;
  await write(
    tx,
    `INSERT INTO conversations (conversation_id, tenant, contact, service_id, number, channel, origin, links, members, detached, last_channel, whatsapp_window_until, created_at)
     SELECT "conversationId", tenant, contact, "serviceId", number, channel, origin, links, members, detached, "lastChannel", to_timestamp("whatsappWindowUntil" / 1000.0), "createdAt"
       FROM jsonb_to_recordset($1::jsonb) AS x("conversationId" text, tenant text, contact text, "serviceId" text, number text, channel text, origin text, links text[], members text[], detached text[], "lastChannel" text, "whatsappWindowUntil" bigint, "createdAt" timestamptz)
     ON CONFLICT (conversation_id) DO UPDATE SET links = EXCLUDED.links, members = EXCLUDED.members, detached = EXCLUDED.detached, last_channel = EXCLUDED.last_channel, whatsapp_window_until = EXCLUDED.whatsapp_window_until`,
    [JSON.stringify(views)],
  );
}

export async function addTimelineItems(tx: Writes, items: readonly TimelineItem[]): Promise<void> {
  if (items.length === 0) return;
  await write(
    tx,
    `INSERT INTO timeline (tenant, item_id, conversation_id, kind, channel, at, body)
     SELECT tenant, "itemId", "conversationId", kind, channel, at, body FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, "itemId" text, "conversationId" text, kind text, channel text, at timestamptz, body jsonb)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(items)],
  );
}

/** Of the agent and bot message ids given, those whose outbound route was decided already (O2): `tenant messageId`. */
export async function routedMessages(tx: Queryable, messages: readonly { tenant: string; messageId: string }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const asked = new Set(messages.map((m) => `${m.tenant} ${m.messageId}`));
  // Both keys as index conditions; the pairs asked for are picked here.
  const rows = (await tx.query(`SELECT tenant, message_id FROM outbound_messages WHERE tenant = ANY($1::text[]) AND message_id = ANY($2::text[])`, [
    [...new Set(messages.map((m) => m.tenant))],
    [...new Set(messages.map((m) => m.messageId))],
  ])) as { tenant: string; message_id: string }[];
  return new Set(rows.map((r) => `${r.tenant} ${r.message_id}`).filter((key) => asked.has(key)));
}

export async function recordOutbound(tx: Writes, records: readonly OutboundRecord[]): Promise<void> {
  if (records.length === 0) return;
  await write(
    tx,
    `INSERT INTO outbound_messages (tenant, message_id, conversation_id, event_id)
     SELECT tenant, "messageId", "conversationId", "eventId" FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, "messageId" text, "conversationId" text, "eventId" text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(records)],
  );
}
