import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';

type StreamSettings = Partial<StreamConfig> & { name: string };
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@kite/contracts';

const DUPLICATE_WINDOW = nanos(120_000);
const DAY = 24 * 60 * 60 * 1000;

/**
 * Event stores (configuration, conversations) keep everything and refuse deletes: they are the
 * truth that read models are rebuilt from. The contract's inbound and outbound streams are
 * channels; they keep a week. Only settings nats-server 2.9 honours are used (see docs/).
 */
const eventStore = (name: string, subjects: readonly string[]): StreamSettings => ({
  name,
  subjects: [...subjects],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.New,
  max_msgs_per_subject: -1,
  deny_delete: true,
  deny_purge: true,
  allow_direct: true,
  duplicate_window: DUPLICATE_WINDOW,
});

const channel = (name: string, subjects: readonly string[], maxAgeMs: number): StreamSettings => ({
  name,
  subjects: [...subjects],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  max_age: nanos(maxAgeMs),
  allow_direct: true,
  duplicate_window: DUPLICATE_WINDOW,
});

export const STREAM_CONFIGS: readonly StreamSettings[] = [
  channel(STREAMS.inbound.name, STREAMS.inbound.subjects, 7 * DAY),
  channel(STREAMS.outbound.name, STREAMS.outbound.subjects, 7 * DAY),
  channel(STREAMS.deadLetters.name, STREAMS.deadLetters.subjects, 30 * DAY),
  eventStore(STREAMS.config.name, STREAMS.config.subjects),
  eventStore(STREAMS.conversations.name, STREAMS.conversations.subjects),
];

/** Creates the streams, or brings existing ones to these settings. Safe to run from every service at once. */
export async function provisionStreams(nc: NatsConnection, configs: readonly StreamSettings[] = STREAM_CONFIGS): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const config of configs) {
    const { name } = config;
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await jsm.streams.add(config);
      } catch (again) {
        // Another service created it between our look-up and our add.
        if (!/already in use|exists/i.test(String(again))) throw again;
      }
    }
  }
}

export function isNotFound(e: unknown): boolean {
  return /not found/i.test(String((e as Error)?.message ?? e));
}

/** The sequence of the last message in a stream, 0 when it is empty or missing. */
export async function streamLastSequence(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream).catch(() => undefined);
  return info?.state.last_seq ?? 0;
}
