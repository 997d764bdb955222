import { Gauge } from 'prom-client';
import { describeStreams, STREAM_CONFIGS, type NatsConnection } from '@kite/messaging';
import { metricsRegistry } from './metrics-registry.js';

type Described = Awaited<ReturnType<typeof describeStreams>>[number];
type StreamInfo = NonNullable<Described['info']>;

/**
 * The streams as the cluster holds them, read at each scrape (one look-up per stream, answered by
 * its leader): how full each is against its limit, and how many of its replicas are current,
 * against how many it should have. A stream whose leader does not answer counts 0 current replicas.
 * Every instance reports them; the alerts take the highest (deploy/prometheus/kite-rules.yaml).
 */
export function registerStreamMetrics(nc: NatsConnection): void {
  let cached: { at: number; streams: Promise<Described[]> } | undefined;
  const streams = (): Promise<Described[]> => {
    if (!cached || performance.now() - cached.at > 1_000) cached = { at: performance.now(), streams: describeStreams(nc, 2_000).catch(() => STREAM_CONFIGS.map(({ name }) => ({ name, info: undefined }))) };
    return cached.streams;
  };
  const gauge = (name: string, help: string, valueOf: (info: StreamInfo | undefined) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream'],
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const { name: stream, info } of await streams()) {
          const value = valueOf(info);
          if (value !== undefined) this.set({ stream }, value);
        }
      },
    });
  gauge('kite_stream_messages', 'Messages the stream holds', (i) => i?.state.messages);
  gauge('kite_stream_bytes', 'Bytes the stream holds', (i) => i?.state.bytes);
  gauge('kite_stream_max_bytes', 'Bytes the stream may hold (-1: no limit): an event store refuses appends once full', (i) => i?.config.max_bytes);
  gauge('kite_stream_replicas', 'Replicas the stream is configured with', (i) => i?.config.num_replicas);
  gauge('kite_stream_replicas_current', 'Replicas of the stream up and current: its leader (which answered) and the followers caught up; 0 when no leader answers', currentReplicas);
}

function currentReplicas(info: StreamInfo | undefined): number {
  if (!info) return 0;
  return 1 + (info.cluster?.replicas ?? []).filter((r) => r.current && !r.offline).length;
}
