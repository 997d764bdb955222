/**
 * `npm run streams` (in the image: `node dist/tools/streams.js`): creates the streams, or brings
 * them to the configured replicas and storage limits (`KITE_STREAM_REPLICAS`,
 * `KITE_CHANNEL_MAX_BYTES`, `KITE_LOG_MAX_BYTES`; replicas are lowered here only, never by a
 * service's start), then prints each one as the cluster holds it.
 * With per-service NATS users, the services may not manage streams (`KITE_STREAMS=existing`): this
 * runs first, as the operators' user (`kite-admin` in deploy/nats/permissions.conf). `--check`
 * changes nothing and only prints. NATS_URL (and NATS_USER, NATS_PASSWORD or NATS_CREDS), else the
 * running `npm start`'s NATS.
 */
import { parseArgs } from 'node:util';
import { connectNats, describeStreams, loadNatsSettings, provisionStreams, streamConfigs } from '@kite/messaging';
import { readRuntime } from './runtime.js';

const size = (bytes: number) => (bytes < 0 ? 'no limit' : bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const settings = loadNatsSettings({ ...process.env, NATS_URL: process.env.NATS_URL || readRuntime()?.natsUrl || undefined });
  const nc = await connectNats(settings.url, 'kite-streams', settings.credentials);
  try {
    const configs = streamConfigs(settings.limits);
    if (!values.check) await provisionStreams(nc, configs, { lowerReplicas: true });
    let missing = 0;
    for (const { name, info } of await describeStreams(nc, 5_000, configs.map((c) => c.name))) {
      if (!info) {
        missing++;
        console.log(`${name}: missing, or no leader answers`);
        continue;
      }
      const { config, state, cluster } = info;
      const peers = (cluster?.replicas ?? []).map((r) => `${r.name}${r.current ? '' : ' (behind)'}${r.offline ? ' (offline)' : ''}`);
      console.log(
        `${name}: ${config.num_replicas} replica(s), leader ${cluster?.leader ?? '(this server)'}${peers.length ? `, also ${peers.join(', ')}` : ''}; ${state.messages} messages, ${size(state.bytes)} of ${size(config.max_bytes)}`,
      );
    }
    return missing > 0 ? 1 : 0;
  } finally {
    await nc.close();
  }
}

process.exitCode = await main();
