import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { consumerAckFloor, ConsumerRunner, deadLetter, provisionStreams, retry, type BatchHandler, type ConsumerSpec, type DeadLetter, type Delivery, type NatsConnection, type Settlement } from '@kite/messaging';
import { eventually, startTestNats, type TestNats } from '@kite/testing';

const STREAM = 'BATCH_TEST';
const TENANT = 'acme';

/** A handler this slow lets deliveries pile up while it runs, so that its next calls get batches. */
const slowly = (ms = 20) => new Promise((r) => setTimeout(r, ms));
/** The publish index `i` a delivery carries. */
const indexOf = (d: Delivery): number => (JSON.parse(new TextDecoder().decode(d.data)) as { i: number }).i;

/** Batch mode of the consumer runner against a real nats-server of this file's own. */
describe('ConsumerRunner batches', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    nats = await startTestNats('consumer-batches');
    nc = nats.nc;
    await provisionStreams(nc);
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ['kite.test.>'] });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await nats?.stop();
  });

  /** Each test has its own service, durable and subjects `kite.test.acme.<name>.<key>`. */
  const specFor = (name: string, options: Partial<ConsumerSpec>): ConsumerSpec => ({
    service: `svc-${name}`,
    stream: STREAM,
    durable: name,
    filterSubject: `kite.test.${TENANT}.${name}.>`,
    backoffMs: [50],
    ...options,
  });

  const start = async (spec: ConsumerSpec, handler: BatchHandler): Promise<void> => {
    const runner = new ConsumerRunner(nc, spec, handler);
    runners.push(runner);
    await runner.start();
  };

  /**
   * Creates the durable before anything is published: the runner then consumes it from the start
   * (a consumer that does not exist yet would first catch up without acks).
   */
  const provisioned = async (spec: ConsumerSpec): Promise<ConsumerSpec> => {
    await new ConsumerRunner(nc, spec, async () => []).provision();
    return spec;
  };

  /** Publishes `{ i }` on each subject in turn; returns the stream sequences, in publish order. */
  const publishAll = async (name: string, keys: readonly string[]): Promise<number[]> => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (const [i, key] of keys.entries()) seqs.push((await js.publish(`kite.test.${TENANT}.${name}.${key}`, JSON.stringify({ i }))).seq);
    return seqs;
  };

  /** The number of dead letters of a service, and the last one with its headers. */
  const deadLettersOf = async (service: string) => {
    const subject = `kite.dlq.${service}.${TENANT}`;
    const info = await jsm.streams.info('KITE_DLQ', { subjects_filter: subject });
    const last = await jsm.streams.getMessage('KITE_DLQ', { last_by_subj: subject });
    return { count: info.state.subjects?.[subject] ?? 0, letter: last?.json<DeadLetter>(), msgId: last?.header?.get('Nats-Msg-Id') };
  };

  const allAcknowledged = async (durable: string, lastSeq: number): Promise<boolean> => {
    const info = await jsm.consumers.info(STREAM, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0 && info.ack_floor.stream_seq === lastSeq;
  };

  it('hands deliveries over in batches of at most the batch size, each delivery once', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `s${i % 4}`);
    const spec = await provisioned(specFor('batches', { batch: 100 }));
    const seqs = await publishAll('batches', keys);
    const callSizes: number[] = [];
    const handled = new Map<number, number>();
    await start(spec, async (deliveries) => {
      await slowly();
      callSizes.push(deliveries.length);
      for (const d of deliveries) handled.set(d.seq, (handled.get(d.seq) ?? 0) + 1);
      return deliveries.map(() => undefined);
    });

    await eventually(() => allAcknowledged('batches', seqs.at(-1)!), 'every delivery acknowledged');
    expect([...handled.keys()].sort((a, b) => a - b)).toEqual(seqs);
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...callSizes)).toBeLessThanOrEqual(100);
    expect(Math.max(...callSizes)).toBeGreaterThan(1);
  });

  it('runs one call at a time while less than a batch waits, and a second once a whole batch waits', async () => {
    const calls: string[][] = [];
    let inCall = 0;
    let most = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await start(specFor('gather', { batch: 4, concurrency: 2 }), async (deliveries) => {
      calls.push(deliveries.map((d) => d.subject.split('.').at(-1)!));
      most = Math.max(most, ++inCall);
      if (calls.length === 1) await held;
      inCall--;
      return deliveries.map(() => undefined);
    });
    await publishAll('gather', ['k0']);
    await eventually(() => calls.length === 1, 'the first call');
    await publishAll('gather', ['k1', 'k2', 'k3']);
    await slowly(300);
    expect(calls).toHaveLength(1); // three wait, fewer than a batch: no second call
    await publishAll('gather', ['k4']);
    await eventually(() => calls.length === 2, 'a second call, once a whole batch waits');
    expect(calls[1]).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(most).toBe(2);
    release();
    await publishAll('gather', ['k5', 'k6']);
    await eventually(() => calls.flat().length === 7, 'every delivery');
    expect(calls.flat().sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
  });

  it('keeps stream order per subject, and never has one subject in two handler calls at once', async () => {
    const subjects = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const keys = Array.from({ length: 200 }, () => subjects[Math.floor(Math.random() * subjects.length)]!);
    // Batches smaller than the number of subjects, so several calls can run side by side.
    const spec = await provisioned(specFor('order', { batch: 3, concurrency: 4 }));
    const seqs = await publishAll('order', keys);
    const seen = new Map<string, number[]>();
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    let calls = 0;
    let mostCallsAtOnce = 0;
    await start(spec, async (deliveries) => {
      const held = [...new Set(deliveries.map((d) => d.subject))];
      overlaps.push(...held.filter((s) => inFlight.has(s)));
      held.forEach((s) => inFlight.add(s));
      mostCallsAtOnce = Math.max(mostCallsAtOnce, ++calls);
      await slowly(Math.random() * 5);
      for (const d of deliveries) seen.set(d.subject, [...(seen.get(d.subject) ?? []), indexOf(d)]);
      held.forEach((s) => inFlight.delete(s));
      calls--;
      return deliveries.map(() => undefined);
    });

    await eventually(() => allAcknowledged('order', seqs.at(-1)!), 'every delivery acknowledged');
    expect(overlaps).toEqual([]);
    expect(mostCallsAtOnce).toBeGreaterThan(1);
    for (const s of subjects) {
      const published = keys.flatMap((k, i) => (k === s ? [i] : []));
      expect(seen.get(`kite.test.${TENANT}.order.${s}`) ?? []).toEqual(published);
    }
  });

  it('a batch that fails because of one event is retried one by one: the others are handled, the bad one is dead-lettered', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `p${i % 3}`);
    const spec = await provisioned(specFor('poison', { batch: 10, maxAttempts: 2 }));
    const seqs = await publishAll('poison', keys);
    const poisonSeq = seqs[7]!;
    const handled = new Map<number, number>();
    const poisonCallSizes: number[] = [];
    await start(spec, async (deliveries) => {
      await slowly();
      if (deliveries.some((d) => d.seq === poisonSeq)) {
        poisonCallSizes.push(deliveries.length);
        throw new Error('poison in the batch');
      }
      // Only a call that returns counts: a failed batch's work is rolled back.
      for (const d of deliveries) handled.set(d.seq, (handled.get(d.seq) ?? 0) + 1);
      return deliveries.map(() => undefined);
    });

    await eventually(() => allAcknowledged('poison', seqs.at(-1)!), 'every delivery settled');
    expect([...handled.keys()].sort((a, b) => a - b)).toEqual(seqs.filter((s) => s !== poisonSeq));
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    // It failed in a batch with others, then alone on each of its two attempts.
    expect(Math.max(...poisonCallSizes)).toBeGreaterThan(1);
    expect(poisonCallSizes.filter((n) => n === 1)).toHaveLength(2);

    const dead = await deadLettersOf('svc-poison');
    expect(dead.count).toBe(1);
    expect(dead.msgId).toBe(`dlq-${STREAM}-poison-${poisonSeq}`);
    expect(dead.letter).toMatchObject({
      reason: 'failed 2 times, last: poison in the batch',
      service: 'svc-poison',
      stream: STREAM,
      consumer: 'poison',
      subject: `kite.test.${TENANT}.poison.p1`,
      seq: poisonSeq,
      deliveries: 2,
      payload: JSON.stringify({ i: 7 }),
    });
  });

  it('settles each delivery of a batch as its own settlement says', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `d${i % 2}`);
    const spec = await provisioned(specFor('settlements', { batch: 8, maxAttempts: 2 }));
    const seqs = await publishAll('settlements', keys);
    const deadSeq = seqs[5]!;
    const handled: number[] = [];
    const deadCallSizes: number[] = [];
    await start(spec, async (deliveries) => {
      await slowly();
      handled.push(...deliveries.map((d) => d.seq));
      if (deliveries.some((d) => d.seq === deadSeq)) deadCallSizes.push(deliveries.length);
      return deliveries.map((d) => (d.seq === deadSeq ? deadLetter('not for us') : undefined));
    });

    await eventually(() => allAcknowledged('settlements', seqs.at(-1)!), 'every delivery settled');
    // Nothing is handled twice: the dead letter is terminated, not retried.
    expect(handled.sort((a, b) => a - b)).toEqual(seqs);
    expect(deadCallSizes).toHaveLength(1);
    expect(deadCallSizes[0]).toBeGreaterThan(1);
    const dead = await deadLettersOf('svc-settlements');
    expect(dead.count).toBe(1);
    expect(dead.letter).toMatchObject({ reason: 'not for us', consumer: 'settlements', seq: deadSeq, deliveries: 1, subject: `kite.test.${TENANT}.settlements.d1` });
  });
  it('stops within its time limit even when a handler never returns, and loses nothing it held', async () => {
    const name = 'stuck';
    await provisioned(specFor(name, { batch: 50, ackWaitMs: 1_000 }));
    await publishAll(name, Array.from({ length: 600 }, (_, i) => `k${i % 7}`));
    const stuck = new ConsumerRunner(nc, specFor(name, { batch: 50, ackWaitMs: 1_000 }), () => new Promise<never>(() => undefined));
    await stuck.start();
    await eventually(async () => (await jsm.consumers.info(STREAM, name)).num_ack_pending > 100, 'deliveries pulled and held');
    const started = performance.now();
    await stuck.stop(500);
    expect(performance.now() - started).toBeLessThan(3_000);
    // Whatever it held or sent back comes to the next runner of the durable.
    const handled = new Set<number>();
    await start(specFor(name, { batch: 50, ackWaitMs: 1_000 }), async (deliveries) => deliveries.map((d) => void handled.add(indexOf(d))));
    await eventually(() => handled.size === 600, 'every message handled by the next runner');
  });

  // nats-server 2.9.10 can drop a pull request that expires as a message arrives, without the 408
  // that would tell the client. Here the server forgets the pull another way (the durable deleted
  // and created again under the runner): the same silence, on purpose. With the client's default
  // heartbeats (15 s) the runner would stand still for 30 s.
  it('pulls again within seconds when the server forgot its pull request unannounced', async () => {
    const name = 'forgotten';
    const spec = await provisioned(specFor(name, { batch: 10 }));
    const handled = new Set<number>();
    await start(spec, async (deliveries) => deliveries.map((d) => void handled.add(indexOf(d))));
    await publishAll(name, ['k']);
    await eventually(() => handled.has(0), 'the first message handled');

    const { config } = await jsm.consumers.info(STREAM, name);
    await jsm.consumers.delete(STREAM, name);
    await jsm.consumers.add(STREAM, { ...config, deliver_policy: DeliverPolicy.New });
    await jetstream(nc).publish(`kite.test.${TENANT}.${name}.k`, JSON.stringify({ i: 1 }));

    await eventually(() => handled.has(1), 'the message after the forgotten pull handled', 10_000);
    expect([...handled]).toEqual([0, 1]);
  });

  describe('a consumer that does not exist yet catches up without acks', () => {
    const handledTimes = (handled: number[], seq: number) => handled.filter((s) => s === seq).length;

    /** Starts a new consumer settling each delivery as `settle` says; resolves once caught up with the sequences handled. */
    const caughtUp = async (name: string, batch: number, settle: (d: Delivery, handled: number[]) => Settlement | undefined): Promise<number[]> => {
      const handled: number[] = [];
      const runner = new ConsumerRunner(nc, specFor(name, { batch }), async (deliveries: Delivery[]) =>
        deliveries.map((d) => {
          handled.push(d.seq);
          return settle(d, handled);
        }),
      );
      runners.push(runner);
      await runner.start();
      await runner.caughtUp();
      return handled;
    };

    it('handles what the stream holds in order per subject, then consumes its durable from after the last', async () => {
      const keys = Array.from({ length: 400 }, (_, i) => `c${i % 5}`);
      const seqs = await publishAll('catchup', keys);
      const handled: number[] = [];
      const seen = new Map<string, number[]>();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const runner = new ConsumerRunner(nc, specFor('catchup', { batch: 50 }), async (deliveries: Delivery[]) => {
        await held;
        handled.push(...deliveries.map((d) => d.seq));
        for (const d of deliveries) seen.set(d.subject, [...(seen.get(d.subject) ?? []), indexOf(d)]);
        return deliveries.map(() => undefined);
      });
      runners.push(runner);
      await runner.start();

      expect(runner.live).toBe(false);
      await expect(jsm.consumers.info(STREAM, 'catchup')).rejects.toThrow(/not found/);
      expect(await runner.lag()).toBeGreaterThan(0);
      release();
      await runner.caughtUp();

      expect(runner.live).toBe(true);
      expect(handled.sort((a, b) => a - b)).toEqual(seqs);
      for (let k = 0; k < 5; k++) expect(seen.get(`kite.test.${TENANT}.catchup.c${k}`)).toEqual(keys.flatMap((key, i) => (key === `c${k}` ? [i] : [])));
      const info = await jsm.consumers.info(STREAM, 'catchup');
      expect(info.config.opt_start_seq).toBe(seqs.at(-1)! + 1);
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      expect(await consumerAckFloor(nc, STREAM, 'catchup')).toBe(seqs.at(-1));
      expect(await runner.lag()).toBe(0);

      const later = await publishAll('catchup', ['c0', 'c1', 'c2']);
      await eventually(() => allAcknowledged('catchup', later.at(-1)!), 'the later deliveries acknowledged');
      expect(handled.slice(seqs.length).sort((a, b) => a - b)).toEqual(later);
    });

    it('stops at the first delivery that asks for a retry: the durable starts there, and that delivery is handled again', async () => {
      const seqs = await publishAll('catchup-retry', Array.from({ length: 100 }, (_, i) => `r${i % 4}`));
      const retrySeq = seqs[30]!;
      const handled = await caughtUp('catchup-retry', 10, (d, seen) => (d.seq === retrySeq && handledTimes(seen, retrySeq) === 1 ? retry('not yet') : undefined));

      expect((await jsm.consumers.info(STREAM, 'catchup-retry')).config.opt_start_seq).toBe(retrySeq);
      await eventually(() => allAcknowledged('catchup-retry', seqs.at(-1)!), 'every delivery acknowledged by the durable');
      expect([...new Set(handled)].sort((a, b) => a - b)).toEqual(seqs);
      expect(handledTimes(handled, retrySeq)).toBe(2);
    });

    it('publishes a dead letter once and goes on: the durable starts after the last delivery', async () => {
      const seqs = await publishAll('catchup-dead', Array.from({ length: 20 }, (_, i) => `d${i % 2}`));
      const deadSeq = seqs[5]!;
      const handled = await caughtUp('catchup-dead', 8, (d) => (d.seq === deadSeq ? deadLetter('not for us') : undefined));

      expect(handled.sort((a, b) => a - b)).toEqual(seqs);
      expect((await jsm.consumers.info(STREAM, 'catchup-dead')).config.opt_start_seq).toBe(seqs.at(-1)! + 1);
      const dead = await deadLettersOf('svc-catchup-dead');
      expect(dead.count).toBe(1);
      expect(dead.letter).toMatchObject({ reason: 'not for us', consumer: 'catchup-dead', seq: deadSeq, deliveries: 1 });
    });

    it('ends when what it counted is gone before it is read, and its durable takes what comes next', async () => {
      const name = 'catchup-gone';
      await publishAll(name, ['g0', 'g1', 'g2']);
      const handled: number[] = [];
      const runner = new ConsumerRunner(nc, specFor(name, { batch: 10, catchUpStallMs: 200 }), async (deliveries: Delivery[]) => deliveries.map((d) => void handled.push(d.seq)));
      runners.push(runner);
      expect(await runner.willCatchUp()).toBe(true);
      // Counted, then gone (as a channel's messages expire) before the catch-up reads them.
      await jsm.streams.purge(STREAM, { filter: `kite.test.${TENANT}.${name}.>` });
      await runner.start();
      await runner.caughtUp();

      expect(runner.live).toBe(true);
      expect(handled).toEqual([]);
      const later = await publishAll(name, ['g0', 'g1']);
      await eventually(() => allAcknowledged(name, later.at(-1)!), 'the later deliveries acknowledged');
      expect(handled).toEqual(later);
    });

    it('stopped while catching up, it loses nothing: the next runner catches up again', async () => {
      const name = 'catchup-stuck';
      await publishAll(name, Array.from({ length: 600 }, (_, i) => `k${i % 7}`));
      let calls = 0;
      const stuck = new ConsumerRunner(nc, specFor(name, { batch: 50 }), () => {
        calls++;
        return new Promise<never>(() => undefined);
      });
      await stuck.start();
      await eventually(() => calls > 0, 'a handler call under way');
      const started = performance.now();
      await stuck.stop(500);
      expect(performance.now() - started).toBeLessThan(3_000);
      await expect(jsm.consumers.info(STREAM, name)).rejects.toThrow(/not found/);

      const handled = new Set<number>();
      await start(specFor(name, { batch: 50 }), async (deliveries) => deliveries.map((d) => void handled.add(indexOf(d))));
      await eventually(() => handled.size === 600, 'every message handled by the next runner');
    });
  });
});
