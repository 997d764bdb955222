import { z } from 'zod';
import { Instant, Tenant } from './primitives.js';

export const EventId = z.string().min(10).max(64).regex(/^[0-9A-Za-z_-]+$/, 'must be an event id (letters, digits, - and _)');

/** The envelope every event travels in (docs/contract.md). `data` is typed by each event's schema. */
export function envelopeOf<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    id: EventId,
    type: z.literal(type),
    version: z.literal(1),
    tenant: Tenant,
    occurredAt: Instant,
    correlationId: EventId.optional(),
    causationId: EventId.optional(),
    data,
  });
}

export const AnyEnvelope = z.object({
  id: EventId,
  type: z.string().min(1),
  version: z.number().int(),
  tenant: Tenant,
  occurredAt: Instant,
  correlationId: EventId.optional(),
  causationId: EventId.optional(),
  data: z.unknown(),
});
export type AnyEnvelope = z.infer<typeof AnyEnvelope>;

export interface Envelope<T extends string = string, D = unknown> {
  id: string;
  type: T;
  version: 1;
  tenant: string;
  occurredAt: string;
  correlationId?: string;
  causationId?: string;
  data: D;
}
