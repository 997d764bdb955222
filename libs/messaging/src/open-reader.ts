import type { NatsConnection } from '@nats-io/nats-core';
import { BurstReader } from './burst-reader.js';
import { StreamReader } from './stream-reader.js';

export type Reader = StreamReader | BurstReader;

/** A processor's reader: in bursts every `burstMs` when it has one, else each message as it is stored. */
export const openReader = (nc: NatsConnection, stream: string, filterSubject: string, fromSeq: number, burstMs?: number): Promise<Reader> =>
  burstMs ? BurstReader.open(nc, stream, filterSubject, fromSeq, burstMs) : StreamReader.open(nc, stream, filterSubject, fromSeq);
