import type { EventOf, EventType } from './catalog.js';
import { newEventId } from './ids.js';

export interface Causation {
  /** The event that caused this one: its id becomes `causationId`, its correlation is carried on. */
  cause?: { id: string; correlationId?: string | undefined };
  /** A deterministic id, so that a retried decision yields the same event. */
  id?: string;
  occurredAt?: string;
}

/** Builds an envelope around `data`, carrying the cause's correlation (docs/contract.md). */
export function makeEvent<T extends EventType>(type: T, tenant: string, data: EventOf<T>['data'], causation: Causation = {}): EventOf<T> {
  const cause = causation.cause;
  return {
    id: causation.id ?? newEventId(),
    type,
    version: 1,
    tenant,
    occurredAt: causation.occurredAt ?? new Date().toISOString(),
    ...(cause ? { correlationId: cause.correlationId ?? cause.id, causationId: cause.id } : {}),
    data,
  } as EventOf<T>;
}
