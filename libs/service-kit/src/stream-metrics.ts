import { Gauge } from 'prom-client';
import { streamsInfo, type NatsConnection } from '@kite/messaging';
import { metricsRegistry } from './metrics-registry.js';

type Streams = Awaited<ReturnType<typeof streamsInfo>>;

/**
 * The streams as the cluster holds them, read at each scrape (one look-up per stream): how full each
 * is against its limit, and how many of its replicas are current, against how many it should have.
 * Every instance reports them; the alerts take the highest (deploy/prometheus/kite-rules.yaml).
 */
export function registerStreamMetrics(nc: NatsConnection): void {
  let cached: { at: number; streams: Promise<Streams> } | undefined;
  const streams = (): Promise<Streams> => {
    if (!cached || performance.now() - cached.at > 1_000) cached = { at: performance.now(), streams: streamsInfo(nc).catch(() => []) };
    return cached.streams;
  };
  const gauge = (name: string, help: string, valueOf: (info: NonNullable<Streams[number]['info']>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream'],
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const { name: stream, info } of await streams()) if (info) this.set({ stream }, valueOf(info));
      },
    });
  gauge('kite_stream_messages', 'Messages the stream holds', (i) => i.state.messages);
  gauge('kite_stream_bytes', 'Bytes the stream holds', (i) => i.state.bytes);
  gauge('kite_stream_max_bytes', 'Bytes the stream may hold (-1: no limit): an event store refuses appends once full', (i) => i.config.max_bytes);
  gauge('kite_stream_replicas', 'Replicas the stream is configured with', (i) => i.config.num_replicas);
  gauge('kite_stream_replicas_current', 'Replicas of the stream that are up and current, its leader included (0: no leader)', currentReplicas);
}

/** Its leader, if it has one, and the followers that are online and caught up. */
function currentReplicas(info: NonNullable<Streams[number]['info']>): number {
  if (!info.cluster?.leader) return 0;
  return 1 + (info.cluster.replicas ?? []).filter((r) => r.current && !r.offline).length;
}
