import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { BurstReader, ReaderStalled, type Delivery, type NatsConnection } from '@kite/messaging';
import { eventually, startTestNats, type TestNats } from '@kite/testing';
import { expectHeeding } from './reader-heeding.js';

/** Reads bursts into `bursts` until it has `count` messages, or the reader ends. */
function collect(reader: BurstReader, count: number): { bursts: Delivery[][]; done: Promise<unknown> } {
  const bursts: Delivery[][] = [];
  const done = (async () => {
    let read = 0;
    for await (const burst of reader.bursts()) {
      bursts.push(burst);
      read += burst.length;
      if (read >= count) return;
    }
  })().catch((e: unknown) => e);
  return { bursts, done };
}

const seqs = (bursts: Delivery[][]) => bursts.flat().map((d) => d.seq);

/** The reader of the processors off the path to an answer, against a real nats-server of this file's own. */
describe('BurstReader', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stream = 0;

  /** A new stream holding `count` messages, every other one on the subject the readers filter. */
  async function streamWith(count: number): Promise<string> {
    const name = `BURST${++stream}`;
    await jsm.streams.add({ name, subjects: [`${name}.>`] });
    await publish(name, count);
    return name;
  }
  const publish = async (name: string, count: number) => {
    const js = jetstream(nc);
    for (let i = 0; i < count; i++) await js.publish(`${name}.${i % 2 === 0 ? 'read' : 'other'}`, String(i));
  };

  beforeAll(async () => {
    nats = await startTestNats('burst-reader');
    nc = nats.nc;
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('reads what its filter holds from the sequence asked, in stream order, and tells what waits', async () => {
    const name = await streamWith(20);
    const reader = await BurstReader.open(nc, name, `${name}.read`, 7, 50);
    expect(reader.waitingAtStart).toBe(7); // 7, 9, …, 19
    const { bursts, done } = collect(reader, 7);
    await done;
    await reader.close();
    expect(seqs(bursts)).toEqual([7, 9, 11, 13, 15, 17, 19]);
    expect(bursts.flat().map((d) => d.subject)).toEqual(Array(7).fill(`${name}.read`));
    expect(bursts.at(-1)!.at(-1)!.pending).toBe(0);
  });

  it('after the first message, takes what came meanwhile in one burst', async () => {
    const name = await streamWith(0);
    const reader = await BurstReader.open(nc, name, `${name}.>`, 1, 1_000);
    const { bursts, done } = collect(reader, 10);
    await publish(name, 1);
    await eventually(() => bursts.length === 1, 'the first message read');
    await publish(name, 9); // well within the second the reader lets them gather
    await done;
    await reader.close();
    expect(bursts.map((b) => b.length)).toEqual([1, 9]);
    expect(seqs(bursts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('behind, it takes the next burst at once instead of letting more gather', async () => {
    const name = await streamWith(1_200);
    // Were it to wait a minute between bursts, the test would time out.
    const reader = await BurstReader.open(nc, name, `${name}.>`, 1, 60_000);
    const { bursts, done } = collect(reader, 1_200);
    await done;
    await reader.close();
    expect(bursts.map((b) => b.length)).toEqual([1, 500, 500, 199]);
    expect(seqs(bursts)).toEqual(Array.from({ length: 1_200 }, (_, i) => i + 1));
  });

  it('ends with ReaderStalled when its consumer is gone, to be opened again where its caller stands', async () => {
    const name = await streamWith(0);
    const reader = await BurstReader.open(nc, name, `${name}.>`, 1, 50);
    const { done } = collect(reader, 1);
    const [consumer] = await jsm.consumers.list(name).next();
    await jsm.consumers.delete(name, consumer!.name);
    expect(await done).toBeInstanceOf(ReaderStalled);
    await reader.close();
  });

  it('heeds what NATS says: reads on while its consumer answers; ends with ReaderStalled when it does not, or after a reconnect', async () => {
    const name = await streamWith(0);
    await expectHeeding(nats, name, (from) => BurstReader.open(nc, name, `${name}.read`, from, 50), () => publish(name, 1));
  });

  it('leaves no consumer behind once closed', async () => {
    const name = await streamWith(3);
    const reader = await BurstReader.open(nc, name, `${name}.>`, 1, 50);
    await collect(reader, 3).done;
    await reader.close();
    expect(await jsm.consumers.list(name).next()).toEqual([]);
  });
});
