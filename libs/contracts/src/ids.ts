import { createHash, getRandomValues } from 'node:crypto';
import { ulid } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Random bytes drawn a page at a time: ulid's own source asks the system for every character. */
const pool = new Uint8Array(4096);
let drawn = pool.length;
const pooledRandom = (): number => {
  if (drawn >= pool.length) {
    getRandomValues(pool);
    drawn = 0;
  }
  return pool[drawn++]! / 256;
};
/** A new, time-ordered event id (ULID). */
export function newEventId(): string {
  return ulid(undefined, pooledRandom);
}

/**
 * An id that is the same every time for the same parts: what makes a retried or replayed decision
 * publish the same event, which JetStream then drops as a duplicate (`Nats-Msg-Id`).
 */
export function deterministicId(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest();
  let out = '';
  for (let i = 0; i < 26; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    const word = ((digest[byte] ?? 0) << 8) | (digest[byte + 1] ?? 0);
    out += CROCKFORD[(word >> (11 - (bit & 7))) & 31];
  }
  return out;
}
