// What a NATS node loss costs with nothing of ours on top: a three-node cluster (three local
// nats-server processes, the system's streams with three replicas), a publisher sending to
// KITE_CONV every 50 ms from a node that stays, the stream's leader killed with kill -9. Prints, per
// trial, how long no publish was acknowledged, and how long until a consumer of KITE_CONV could be
// created again (asked every 100 ms; a reader whose consumer was on the lost node needs one): the
// floor under the system's failover figure (test/nats-cluster-failover.int.spec.ts, effects
// stopped for at most ...), which it can only add to.
// `node bench/nats-failover.mjs [trials]` (3 by default), after `npm run build`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { startNatsCluster } from '@kite/local-infra';
import { AckedPublisher, connectNats, provisionStreams, streamConfigs } from '@kite/messaging';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function trial() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-failover-'));
  const cluster = await startNatsCluster({ dir });
  const nc = await connectNats(cluster.url, 'bench-admin');
  try {
    for (;;) {
      try {
        await provisionStreams(nc, streamConfigs({ replicas: 3, channelMaxBytes: -1, logMaxBytes: -1 }));
        break;
      } catch {
        await sleep(500); // the cluster electing its first leaders
      }
    }
    const leader = (await (await jetstreamManager(nc)).streams.info('KITE_CONV')).cluster.leader;
    const publisher = await connectNats(cluster.nodes.find((n) => n.name !== leader).url, 'bench-publisher');
    const acked = AckedPublisher.of(publisher);
    const jsm = await jetstreamManager(publisher, { timeout: 500 });
    let last = 0;
    let longest = 0;
    let killedAt = 0;
    let consumerAt;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 15_000; i++) {
      if (!killedAt && Date.now() - started >= 3_000) {
        cluster.node(leader).kill();
        killedAt = Date.now();
        consumerAt = firstConsumer(jsm);
      }
      while (!(await acked.publish(`kite.conv.bench.c${i}`, 'x', { msgID: `failover-${i}` }).then(() => true, () => false))) await sleep(100);
      const now = Date.now();
      if (last) longest = Math.max(longest, now - last);
      last = now;
      await sleep(50);
    }
    const consumer = (await consumerAt) - killedAt;
    const meta = cluster.metaLeaderElectedSince(killedAt);
    await publisher.close();
    return { leader, longest, consumer, meta: meta && meta - killedAt };
  } finally {
    await nc.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** When a consumer of KITE_CONV was first created, asked every 100 ms for 30 s at most (NaN: never). */
async function firstConsumer(jsm) {
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    try {
      const info = await jsm.consumers.add('KITE_CONV', { ack_policy: AckPolicy.None, mem_storage: true, inactive_threshold: nanos(10_000) });
      const at = Date.now();
      await jsm.consumers.delete('KITE_CONV', info.name).catch(() => undefined);
      return at;
    } catch {
      await sleep(100);
    }
  }
  return Number.NaN;
}

const trials = Number(process.argv[2] ?? 3);
for (let t = 1; t <= trials; t++) {
  const { leader, longest, consumer, meta } = await trial();
  const seconds = (ms) => (ms / 1000).toFixed(1);
  console.log(
    `trial ${t}: leader ${leader} of KITE_CONV killed${meta === undefined ? '' : `, the metadata leader too (a new one after ${seconds(meta)} s)`}; ` +
      `no publish acknowledged for ${seconds(longest)} s; a consumer created again after ${seconds(consumer)} s`,
  );
}
process.exit(0);
