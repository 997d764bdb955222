import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/nats-core';

/** A JetStream publish not answered: the stream had no leader, or the server none to ask. */
export class NatsUnavailableError extends Error {
  override readonly name = 'NatsUnavailableError';
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'EAI_AGAIN']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NATS_ERRORS = [errors.TimeoutError, errors.NoRespondersError, errors.ClosedConnectionError, errors.ConnectionError, NatsUnavailableError];
/** What node-postgres says when the connection ends under a query (it gives no code then). */
const LOST_CONNECTION = /Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect/i;

/**
 * Whether an error says a server (PostgreSQL, NATS) could not be reached or went away, rather than
 * that the event or its handling is wrong: the event is then retried until the server is back, and
 * never dead-lettered for it. Recognised by the codes the drivers give: the socket's (Node),
 * PostgreSQL's SQLSTATE for a lost or refused connection (class 08; 57P01–57P03: shut down, crashed,
 * not accepting connections yet; 53300: too many connections), and NATS's: no answer in time, no
 * server answering (a stream electing a leader after a node loss), the connection closed, and a
 * JetStream answer with status 503 (the system temporarily unavailable; insufficient resources,
 * as a cluster that has just started answers before its servers have all joined).
 */
export function isUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NATS_ERRORS.some((type) => e instanceof type)) return true;
    if (e instanceof JetStreamApiError && e.status === 503) return true;
    if (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (typeof e.message === 'string' && LOST_CONNECTION.test(e.message)) return true;
  }
  return false;
}

/**
 * Whether the outage is NATS not answering (a publish or a request timed out, no responder): each
 * attempt already waited for its answer, so the next one may follow at once.
 */
export function isNatsSilence(error: unknown): boolean {
  for (const e of causes(error)) if (e instanceof NatsUnavailableError || e instanceof errors.TimeoutError || e instanceof errors.NoRespondersError) return true;
  return false;
}

/** The error and the causes it wraps, five deep at most. */
function* causes(error: unknown): Generator<{ code?: unknown; message?: unknown; cause?: unknown }> {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) yield e;
}
