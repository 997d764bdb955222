import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { windowState } from '@kite/domain';
import type { DataSource } from '@kite/persistence';
import { AuthGuard, CurrentPrincipal, DATA_SOURCE, Problem, type Principal } from '@kite/service-kit';
import { findConversation } from './conversation-store.js';

interface TimelineItem {
  kind: string;
  channel: string;
  at: string;
  [field: string]: unknown;
}

const encodeCursor = (at: string, itemId: string) => Buffer.from(JSON.stringify([at, itemId])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, itemId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof itemId === 'string' && !Number.isNaN(Date.parse(at))) return [at, itemId];
  } catch {
    // falls through to the problem below
  }
  throw new Problem(400, 'The query is not valid', undefined, [{ path: 'after', message: 'must be a cursor returned as nextCursor' }]);
}

/** A conversation's members and timeline (calls and messages on every channel, in time order), page by page. */
@Controller('v1/conversations')
@UseGuards(AuthGuard)
export class ConversationsController {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  @Get(':id')
  async read(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query('limit') limitText?: string, @Query('after') after?: string) {
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new Problem(400, 'The query is not valid', undefined, [{ path: 'limit', message: 'must be a whole number from 1 to 200' }]);
    const conversation = await findConversation(this.ds, id);
    if (!conversation || conversation.tenant !== principal.tenant) throw new Problem(404, 'No such conversation', `${id} is not a conversation of this tenant`);
    const [afterAt, afterItem] = after === undefined ? ['-infinity', ''] : decodeCursor(after);
    const rows = (await this.ds.query(
      `SELECT item_id, kind, channel, at, body FROM timeline WHERE conversation_id = $1 AND tenant = $2 AND (at, item_id) > ($3::timestamptz, $4) ORDER BY at, item_id LIMIT $5`,
      [id, principal.tenant, afterAt, afterItem, limit + 1],
    )) as { item_id: string; kind: string; channel: string; at: Date; body: Record<string, unknown> }[];
    const page = rows.slice(0, limit);
    const items: TimelineItem[] = page.map((r) => ({ kind: r.kind, channel: r.channel, at: r.at.toISOString(), ...r.body }));
    const last = page.at(-1);
    return {
      conversationId: conversation.conversationId,
      contact: conversation.contact,
      serviceId: conversation.serviceId,
      number: conversation.number,
      origin: conversation.origin,
      createdAt: conversation.createdAt,
      channels: conversation.links.map((l) => ({ channel: l.split(':')[0], number: l.slice(l.indexOf(':') + 1), detached: conversation.detached.includes(l.slice(l.indexOf(':') + 1)) })),
      members: conversation.members.map((m) => ({ kind: m.slice(0, m.indexOf(':')), id: m.slice(m.indexOf(':') + 1) })),
      // W6: whether a free-form WhatsApp message may leave now.
      whatsappWindow: windowState(conversation.whatsappWindowUntil, Date.now()),
      timeline: items,
      ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.at.toISOString(), last.item_id) } : {}),
    };
  }
}
