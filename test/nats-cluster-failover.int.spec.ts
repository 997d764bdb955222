import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, subjects, type AnyEnvelope } from '@kite/contracts';
import { SERVICE_NAMES, startNatsCluster, type RunningNatsCluster } from '@kite/local-infra';
import { connectNats, EventPublisher, provisionStreams, streamConfigs, streamLastSequence, type NatsConnection } from '@kite/messaging';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage } from './fixtures.js';

const TENANT = 'acme';
const RATE_PER_SECOND = 20;
const BEFORE_KILL_MS = 5_000;
const AFTER_KILL_MS = 15_000;
/** The issue's target: effects resume within 10 s of losing the node. */
const TARGET_MS = 10_000;
/** What the system may add to NATS's own election of the streams' new leaders. */
const OURS_AFTER_ELECTION_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A service's `kite_stream_*` gauge for a stream, from its /metrics. */
async function streamMetric(port: number, metric: string, stream: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = text.match(new RegExp(`^${metric}\\{stream="${stream}"\\} (\\S+)$`, 'm'))?.[1];
  return value === undefined ? undefined : Number(value);
}

/** Per service, the times its processors opened their streams again, for any reason. */
async function readsAgain(system: TestSystem): Promise<number[]> {
  return Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const text = await (await fetch(`http://127.0.0.1:${system.ports[name]}/metrics`)).text();
      return [...text.matchAll(/^kite_reader_restarts_total\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    }),
  );
}

/** Every event `KITE_OUT` holds, with how many times each id was stored. */
async function storedOutbound(nc: NatsConnection): Promise<AnyEnvelope[]> {
  const last = await streamLastSequence(nc, STREAMS.outbound.name);
  const consumer = await jetstream(nc).consumers.get(STREAMS.outbound.name, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const events: AnyEnvelope[] = [];
  for await (const m of messages) {
    events.push(JSON.parse(new TextDecoder().decode(m.data)) as AnyEnvelope);
    if (m.seq >= last) break;
  }
  await messages.close();
  return events;
}

/**
 * Production runs a three-node JetStream cluster with three replicas of every stream. Losing the
 * node that leads the conversations' stream (kill -9) under a steady load: the services' readers
 * and publishes find the new leader by themselves, effects resume within 10 s, nothing is lost and
 * nothing is doubled. The figures are printed for the operations runbook.
 */
describe('NATS cluster: losing the leader of KITE_CONV under load', () => {
  let dir: string;
  let cluster: RunningNatsCluster;
  let system: TestSystem;
  let observer: NatsConnection | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-cluster-'));
    cluster = await startNatsCluster({ dir });
    const env = { KITE_STREAM_REPLICAS: '3' };
    system = await TestSystem.start({ nats: { url: cluster.url }, collect: false, env: Object.fromEntries(SERVICE_NAMES.map((name) => [name, env])) });
    await configureGroupNumber(system, TENANT);
  }, 120_000);

  afterAll(async () => {
    await observer?.close();
    await system?.stop();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every stream is created with three replicas, and a start asking for fewer keeps them', async () => {
    const jsm = await jetstreamManager(system.nc);
    for (const stream of Object.values(STREAMS)) {
      const info = await jsm.streams.info(stream.name);
      expect({ stream: stream.name, replicas: info.config.num_replicas, peers: info.cluster?.replicas?.length }).toEqual({ stream: stream.name, replicas: 3, peers: 2 });
    }
    // An instance started without KITE_STREAM_REPLICAS asks for one copy: the streams keep three.
    const kept = await provisionStreams(system.nc, streamConfigs({ replicas: 1, channelMaxBytes: -1, logMaxBytes: -1 }));
    expect(kept.map((k) => [k.name, k.replicas]).sort()).toEqual(Object.values(STREAMS).map((stream) => [stream.name, 3]).sort());
    expect((await jsm.streams.info(STREAMS.conversations.name)).config.num_replicas).toBe(3);
    // What the alerts read: three replicas configured, three current.
    const port = system.ports['config-service'];
    expect(await streamMetric(port, 'kite_stream_replicas', STREAMS.conversations.name)).toBe(3);
    await eventually(async () => (await streamMetric(port, 'kite_stream_replicas_current', STREAMS.conversations.name)) === 3, 'three current replicas of KITE_CONV in the metrics');
  });

  it('a stream electing a new leader with no node lost (its leader stepping down): the readers, whose consumers still answer, read on undisturbed', async () => {
    const before = await readsAgain(system);
    const elected = new Promise<void>((resolve) => system.nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.${STREAMS.conversations.name}`, { max: 1, callback: () => resolve() }));
    const answer = await system.nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${STREAMS.conversations.name}`, '', { timeout: 5_000 });
    expect((JSON.parse(new TextDecoder().decode(answer.data)) as { success?: boolean }).success).toBe(true);
    await elected;
    const event = inboundMessage(TENANT, '+15554990001', 'after-stepdown');
    const publisher = new EventPublisher(system.nc);
    while (!(await publisher.publish(subjects.inbound(TENANT, 'MessageReceived'), event).then(() => true, () => false))) await sleep(200);
    await eventually(async () => (await storedOutbound(system.nc).catch(() => [])).some((e) => e.type === 'MembersAdded' && e.correlationId === event.id), 'the message after the election routed', 30_000);
    expect(await readsAgain(system)).toEqual(before);
  }, 60_000);

  it('effects resume within 10 s of the leader being killed (or 3 s after NATS elects the new leaders, the metadata leader included, if it takes longer), with nothing lost and nothing doubled', async () => {
    const leader = await eventually(async () => (await (await jetstreamManager(system.nc)).streams.info(STREAMS.conversations.name)).cluster?.leader, 'a leader of KITE_CONV');
    const survivor = cluster.nodes.find((n) => n.name !== leader)!;
    // The test watches and publishes from a node that stays, so what it sees is the services' recovery, not its own.
    observer = await connectNats(survivor.url, 'kite-test-observer');
    const arrivals: number[] = [];
    observer.subscribe(subjects.outbound(TENANT, 'MembersAdded'), { callback: () => void arrivals.push(Date.now()) });
    // When each stream got its new leader: the streams an effect crosses (KITE_IN, KITE_CONV, KITE_OUT) that the lost node led elect one each.
    const elected = new Map<string, number>();
    observer.subscribe('$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.*', { callback: (_e, m) => void (elected.has(m.subject.split('.').at(-1)!) || elected.set(m.subject.split('.').at(-1)!, Date.now())) });
    const publisher = new EventPublisher(observer);

    const sent: string[] = [];
    let killedAt = 0;
    const started = Date.now();
    for (let i = 0; Date.now() - started < BEFORE_KILL_MS + AFTER_KILL_MS; i++) {
      if (!killedAt && Date.now() - started >= BEFORE_KILL_MS) {
        cluster.node(leader).kill();
        killedAt = Date.now();
      }
      const event = inboundMessage(TENANT, `+1555400${String(i).padStart(4, '0')}`, `failover-${i}`);
      // As a gateway does: the same event again until the stream takes it (its id makes a repeat a duplicate).
      while (!(await publisher.publish(subjects.inbound(TENANT, 'MessageReceived'), event).then(() => true, () => false))) await sleep(200);
      sent.push(event.id);
      await sleep(Math.max(0, started + ((i + 1) * 1000) / RATE_PER_SECOND - Date.now()));
    }

    const routed = await eventually(
      async () => {
        // Asked again when the read fails: a consumer placed on the lost node is never answered (nats-server 2.9).
        const members = (await storedOutbound(observer!).catch(() => [])).filter((e) => e.type === 'MembersAdded');
        return new Set(members.map((e) => e.correlationId)).size >= sent.length && members;
      },
      'every message routed',
      60_000,
    );
    const perMessage = new Map<string, number>();
    for (const e of routed) perMessage.set(e.correlationId!, (perMessage.get(e.correlationId!) ?? 0) + 1);
    const lost = sent.filter((id) => !perMessage.has(id)).length;
    const doubled = [...perMessage.values()].filter((n) => n > 1).length;
    // From the last effect before the kill to the end: how long no effect at all reached the gateway.
    const around = arrivals.filter((t) => t >= killedAt - 1_000);
    expect(around.length).toBeGreaterThan(RATE_PER_SECOND);
    const longestGapMs = Math.max(...around.slice(1).map((t, i) => t - around[i]!));
    const readiness = await Promise.all(SERVICE_NAMES.map(async (name) => (await fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`)).status));
    const onThePath = [STREAMS.inbound.name, STREAMS.conversations.name, STREAMS.outbound.name];
    // A reader whose consumer was on the lost node needs a new one, which NATS creates only once the
    // cluster has a metadata leader: when the lost node held that too, its election counts as well.
    const metaElected = cluster.metaLeaderElectedSince(killedAt);
    const lastElected = Math.max(metaElected ?? 0, ...onThePath.map((stream) => elected.get(stream) ?? 0));
    const resumedAt = around.find((t) => t > lastElected) ?? Number.NaN;
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `NATS failover (leader ${leader} of KITE_CONV killed, ${RATE_PER_SECOND} msg/s): ${sent.length} messages, effects stopped for ${seconds(longestGapMs)} s at most; ` +
        `new leaders elected after ${[...elected].map(([stream, at]) => `${stream} ${seconds(at - killedAt)} s`).join(', ')}${metaElected ? `, the metadata ${seconds(metaElected - killedAt)} s` : ''}; the first effect after the last election came ${seconds(resumedAt - lastElected)} s after it; lost ${lost}, doubled ${doubled}`,
    );

    expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    // The 10 s target, whenever NATS itself elects in time: nats-server 2.9 waits a random 4 to 9 s
    // before electing a new leader (bench/README.md); then the system may add 3 s at most.
    expect(longestGapMs).toBeLessThanOrEqual(Math.max(TARGET_MS, lastElected - killedAt + OURS_AFTER_ELECTION_MS));
    expect(readiness).toEqual([200, 200, 200, 200]);
    // The node stays down: the stream works on with two current replicas, which the metrics say (KiteStreamUnderReplicated).
    await eventually(async () => (await streamMetric(system.ports['config-service'], 'kite_stream_replicas_current', STREAMS.conversations.name)) === 2, 'two current replicas of KITE_CONV in the metrics');
  }, 120_000);
});
