/** After a failure, the waits before the next attempts; the fifth failure dead-letters the message. */
export const BACKOFF_MS = [100, 500, 2_000, 5_000];
export const MAX_ATTEMPTS = 5;
/**
 * How soon work that met an outage (PostgreSQL or NATS unreachable) is tried again: after 0.25,
 * 0.5 and 1 s, then every 2 s. Outages are not counted as attempts.
 */
export const OUTAGE_RETRY_MS = 2_000;
export const outageWait = (outages: number) => Math.min(OUTAGE_RETRY_MS, 250 * 2 ** (outages - 1));
/** After NATS left a publish unanswered (it waited 2 s already, or a new leader was elected meanwhile): soon again. */
export const NATS_SILENCE_RETRY_MS = 250;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
