import { subjects } from '@kite/contracts';
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
  /** The original payload as text when it is UTF-8, else in `payloadBase64`. */
  payload?: string;
  payloadBase64?: string;
}

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
  const body: DeadLetter = { ...letter, deadAt: new Date().toISOString(), ...(text !== undefined ? { payload: text } : { payloadBase64: Buffer.from(data).toString('base64') }) };
  const validTenant = tenant && /^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant) ? tenant : undefined;
  await publisher.publishRaw(subjects.deadLetter(letter.service, validTenant), JSON.stringify(body), `dlq-${letter.stream}-${letter.consumer}-${letter.seq}`);
}
