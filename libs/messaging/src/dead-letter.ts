import { subjects, TENANT_PATTERN } from '@kite/contracts';
import type { EventPublisher } from './publisher.js';

export interface DeadLetter {
  reason: string;
  service: string;
  stream: string;
  consumer: string;
  subject: string;
  seq: number;
  deliveries: number;
  deadAt: string;
  /** The original payload as text when it is UTF-8, else in `payloadBase64`; neither when it is too large (the original stays at `stream` #`seq`). */
  payload?: string;
  payloadBase64?: string;
  /** The original payload's size in bytes, when it was left out. */
  payloadOmittedBytes?: number;
}

/**
 * A dead letter's size, at most: well under NATS's smallest usual maximum message (1 MB), so a letter
 * always lands. A payload that would make it larger is left out; the letter names where it is.
 */
export const MAX_DEAD_LETTER_BYTES = 256 * 1024;
const MAX_REASON_CHARACTERS = 2_000;

function asText(data: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/** Sets an event aside on `kite.dlq.<service>.<tenant>` with the reason and the original payload. */
export async function publishDeadLetter(
  publisher: EventPublisher,
  letter: Omit<DeadLetter, 'payload' | 'payloadBase64' | 'deadAt'>,
  data: Uint8Array,
  tenant: string | undefined,
): Promise<void> {
  const text = asText(data);
  const reason = letter.reason.length > MAX_REASON_CHARACTERS ? `${letter.reason.slice(0, MAX_REASON_CHARACTERS)}… (${letter.reason.length} characters)` : letter.reason;
  const head = { ...letter, reason, deadAt: new Date().toISOString() };
  let json = JSON.stringify({ ...head, ...(text !== undefined ? { payload: text } : { payloadBase64: Buffer.from(data).toString('base64') }) } satisfies DeadLetter);
  if (Buffer.byteLength(json) > MAX_DEAD_LETTER_BYTES) json = JSON.stringify({ ...head, payloadOmittedBytes: data.byteLength } satisfies DeadLetter);
  const validTenant = tenant && TENANT_PATTERN.test(tenant) ? tenant : undefined;
  await publisher.publishRaw(subjects.deadLetter(letter.service, validTenant), json, `dlq-${letter.stream}-${letter.consumer}-${letter.seq}`);
}
