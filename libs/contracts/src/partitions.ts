/**
 * How many partitions the ordered streams are divided into, unless a service is told otherwise
 * (`KITE_PARTITIONS`). Every instance of every service must use the same number: it decides which
 * partition, and so which instance, handles a conversation or a contact.
 */
export const DEFAULT_PARTITIONS = 16;

/** The partition of an ordering key (a conversation's subject, a contact): FNV-1a, 32 bits. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
