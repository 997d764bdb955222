import { deterministicId } from '@kite/contracts';

/**
 * L1: a conversation is identified by (tenant, contact, service). Its id is derived from that key,
 * so two instances racing to create it choose the same id and the log's optimistic concurrency
 * lets exactly one creation through.
 */
export function conversationIdFor(tenant: string, contact: string, serviceId: string): string {
  return `C${deterministicId('conversation', tenant, contact, serviceId)}`;
}
