import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { PULL_TIMING, ReaderStalled, STALL_MS, StreamReader, type Delivery, type NatsConnection } from '@kite/messaging';
import { eventually, startTestNats, type TestNats } from '@kite/testing';
import { expectHeeding, within } from './reader-heeding.js';

/** Reads into `read` until the reader ends: then `done` tells why (closed: 'ended'; else the error). */
function readAll(reader: StreamReader): { read: Delivery[]; done: Promise<unknown> } {
  const read: Delivery[] = [];
  const done = (async () => {
    for await (const burst of reader.bursts()) read.push(...burst);
    return 'ended';
  })().catch((e: unknown) => e);
  return { read, done };
}

/** The ordered reader of the processors on the path to an answer, and its watchdog, against a nats-server of this file's own. */
describe('StreamReader', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let stream = 0;

  async function emptyStream(): Promise<string> {
    const name = `ORDERED${++stream}`;
    await (await jetstreamManager(nc)).streams.add({ name, subjects: [`${name}.>`] });
    return name;
  }

  beforeAll(async () => {
    nats = await startTestNats('stream-reader');
    nc = nats.nc;
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it("an idle reader lives on its consumer's heartbeats: longer than STALL_MS without a message, it still reads the next one", async () => {
    const name = await emptyStream();
    const reader = await StreamReader.open(nc, name, `${name}.>`, 1);
    const { read, done } = readAll(reader);
    expect(await within(done, STALL_MS + 2_000)).toBe('still reading');
    await jetstream(nc).publish(`${name}.a`, 'after the wait');
    const [delivery] = await eventually(() => read.length > 0 && read, 'the message published after the wait');
    expect(new TextDecoder().decode(delivery!.data)).toBe('after the wait');
    await reader.close();
    expect(await done).toBe('ended');
  }, STALL_MS + 10_000);

  it('reads its filter from the sequence asked, in stream order, and tells what waits past it', async () => {
    const name = await emptyStream();
    for (let i = 1; i <= 20; i++) await jetstream(nc).publish(`${name}.${i % 2 ? 'read' : 'other'}`, String(i));
    const reader = await StreamReader.open(nc, name, `${name}.read`, 7);
    expect(reader.waitingAtStart).toBe(7); // 7, 9, …, 19
    const seqs: number[] = [];
    for await (const burst of reader.bursts()) {
      seqs.push(...burst.map((d) => d.seq));
      if (seqs.length === 7) break;
    }
    await reader.close();
    expect(seqs).toEqual([7, 9, 11, 13, 15, 17, 19]);
  });

  it('closes at once when its caller stopped reading while messages were still coming', async () => {
    const name = await emptyStream();
    for (let i = 0; i < 20; i++) await jetstream(nc).publish(`${name}.a`, String(i));
    const reader = await StreamReader.open(nc, name, `${name}.>`, 1);
    for await (const [first] of reader.bursts()) {
      expect(first!.seq).toBe(1);
      break; // as a processor does once it reads again from its checkpoints
    }
    expect(await within(reader.close(), 1_000)).toBeUndefined();
  });

  it('heeds what NATS says: reads on while its consumer answers; ends with ReaderStalled when it does not, or after a reconnect', async () => {
    const name = await emptyStream();
    await expectHeeding(nats, name, (from) => StreamReader.open(nc, name, `${name}.>`, from), () => jetstream(nc).publish(`${name}.a`, 'read on'));
  });

  it('ends with ReaderStalled when its server falls silent, not even a heartbeat, for STALL_MS: to be opened again where its caller stands', async () => {
    const name = await emptyStream();
    const reader = await StreamReader.open(nc, name, `${name}.>`, 1);
    const { done } = readAll(reader);
    const pausedAt = performance.now();
    nats.pause();
    try {
      expect(await within(done, STALL_MS + 3_000)).toBeInstanceOf(ReaderStalled);
      // Its last sign, a heartbeat, may have come up to one interval before the pause.
      expect(performance.now() - pausedAt).toBeGreaterThanOrEqual(STALL_MS - PULL_TIMING.idle_heartbeat);
    } finally {
      nats.resume();
    }
    await reader.close();
  }, STALL_MS + 10_000);

});
