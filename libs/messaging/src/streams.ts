import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { STREAMS } from '@kite/contracts';

type StreamSettings = Partial<StreamConfig> & { name: string };

/** How the streams are kept, set by configuration (`KITE_STREAM_REPLICAS`, `KITE_CHANNEL_MAX_BYTES`, `KITE_LOG_MAX_BYTES`). */
export interface StreamLimits {
  /** Copies of each stream: 1 on one server, 3 in a three-node cluster (a node may be lost). */
  replicas: number;
  /** Bytes each channel (KITE_IN, KITE_OUT, KITE_DLQ) keeps at most, the oldest dropped first; -1: no limit beyond its age. */
  channelMaxBytes: number;
  /** Bytes each event store (KITE_CONV, KITE_CONFIG) holds at most; once full, appends are refused, nothing is dropped; -1: no limit. */
  logMaxBytes: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { replicas: 1, channelMaxBytes: -1, logMaxBytes: -1 };

const DUPLICATE_WINDOW = nanos(120_000);
const DAY = 24 * 60 * 60 * 1000;

/**
 * Event stores (configuration, conversations) keep everything and refuse deletes: they are the
 * truth that read models are rebuilt from. The contract's inbound and outbound streams are
 * channels; they keep a week. Only settings nats-server 2.9 honours are used (see docs/).
 */
const eventStore = (name: string, subjects: readonly string[], limits: StreamLimits): StreamSettings => ({
  name,
  num_replicas: limits.replicas,
  max_bytes: limits.logMaxBytes,
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

const channel = (name: string, subjects: readonly string[], maxAgeMs: number, limits: StreamLimits): StreamSettings => ({
  name,
  num_replicas: limits.replicas,
  max_bytes: limits.channelMaxBytes,
  subjects: [...subjects],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  max_age: nanos(maxAgeMs),
  allow_direct: true,
  duplicate_window: DUPLICATE_WINDOW,
});

export const streamConfigs = (limits: StreamLimits = DEFAULT_STREAM_LIMITS): StreamSettings[] => [
  channel(STREAMS.inbound.name, STREAMS.inbound.subjects, 7 * DAY, limits),
  channel(STREAMS.outbound.name, STREAMS.outbound.subjects, 7 * DAY, limits),
  channel(STREAMS.deadLetters.name, STREAMS.deadLetters.subjects, 30 * DAY, limits),
  eventStore(STREAMS.config.name, STREAMS.config.subjects, limits),
  eventStore(STREAMS.conversations.name, STREAMS.conversations.subjects, limits),
];

export const STREAM_CONFIGS: readonly StreamSettings[] = streamConfigs();

/**
 * The settings to give an existing stream: `config`, but never fewer replicas than it has unless
 * `lowerReplicas`. A service started without `KITE_STREAM_REPLICAS` (1) must not bring a cluster's
 * streams down to one copy; only the operators' `npm run streams` lowers them.
 */
export function settingsOver(existing: Pick<StreamConfig, 'num_replicas'>, config: StreamSettings, lowerReplicas: boolean): StreamSettings {
  if (lowerReplicas || (config.num_replicas ?? 1) >= existing.num_replicas) return config;
  return { ...config, num_replicas: existing.num_replicas };
}

/**
 * Creates the streams, or brings existing ones to these settings (replicas raised, lowered only
 * with `lowerReplicas`; limits changed). Safe to run from every service at once. Returns the
 * streams that kept more replicas than asked.
 */
export async function provisionStreams(nc: NatsConnection, configs: readonly StreamSettings[] = STREAM_CONFIGS, options: { lowerReplicas?: boolean } = {}): Promise<{ name: string; replicas: number }[]> {
  const jsm = await jetstreamManager(nc);
  const kept: { name: string; replicas: number }[] = [];
  for (const config of configs) {
    const { name } = config;
    try {
      const existing = await jsm.streams.info(name);
      const settings = settingsOver(existing.config, config, options.lowerReplicas ?? false);
      if (settings !== config) kept.push({ name, replicas: existing.config.num_replicas });
      await jsm.streams.update(name, settings);
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
  return kept;
}

/**
 * Waits until every stream exists, for a user that may not create them: they are provisioned by
 * someone who may (`npm run streams`). Says what it waits for every `reportEveryMs`.
 */
export async function untilStreamsExist(nc: NatsConnection, names: readonly string[], report: (missing: string[]) => void, reportEveryMs = 5_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (let lastReport = 0; ; await new Promise((r) => setTimeout(r, 500))) {
    const missing: string[] = [];
    for (const name of names) {
      try {
        await jsm.streams.info(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        missing.push(name);
      }
    }
    if (missing.length === 0) return;
    if (Date.now() - lastReport >= reportEveryMs) {
      lastReport = Date.now();
      report(missing);
    }
  }
}

/** Each stream as its leader describes it now; undefined when it is missing or no leader answers within `timeoutMs`. */
export async function describeStreams(nc: NatsConnection, timeoutMs: number, names: readonly string[] = STREAM_CONFIGS.map((c) => c.name)): Promise<{ name: string; info: StreamInfo | undefined }[]> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  return Promise.all(names.map(async (name) => ({ name, info: await jsm.streams.info(name).catch(() => undefined) })));
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
