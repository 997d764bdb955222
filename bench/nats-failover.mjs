// What a NATS node loss costs with nothing of ours on top: a three-node cluster (three local
// nats-server processes, the system's streams with three replicas), a publisher sending to
// KITE_CONV every 50 ms from a node that stays, the stream's leader killed with kill -9. Prints, per
// trial, how long no publish was acknowledged: the floor under the system's failover figure
// (test/nats-cluster-failover.int.spec.ts, effects stopped for at most ...), which it can only add to.
// `node bench/nats-failover.mjs [trials]` (3 by default), after `npm run build`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
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
    let last = 0;
    let longest = 0;
    let killedAt = 0;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 15_000; i++) {
      if (!killedAt && Date.now() - started >= 3_000) {
        cluster.node(leader).kill();
        killedAt = Date.now();
      }
      while (!(await acked.publish(`kite.conv.bench.c${i}`, 'x', { msgID: `failover-${i}` }).then(() => true, () => false))) await sleep(100);
      const now = Date.now();
      if (last) longest = Math.max(longest, now - last);
      last = now;
      await sleep(50);
    }
    await publisher.close();
    return { leader, longest };
  } finally {
    await nc.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const trials = Number(process.argv[2] ?? 3);
for (let t = 1; t <= trials; t++) {
  const { leader, longest } = await trial();
  console.log(`trial ${t}: leader ${leader} of KITE_CONV killed; no publish acknowledged for ${(longest / 1000).toFixed(1)} s`);
}
process.exit(0);
