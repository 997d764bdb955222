import { expect } from '@jest/globals';
import { ReaderStalled, type Reader } from '@kite/messaging';
import { eventually, type TestNats } from '@kite/testing';

/** Reads until the reader ends; `read` counts what came, `done` tells why it ended (an error, or 'ended'). */
function reading(reader: Reader): { read: () => number; done: Promise<unknown> } {
  let read = 0;
  const done = (async () => {
    for await (const burst of reader.bursts()) read += burst.length;
    return 'ended';
  })().catch((e: unknown) => e);
  return { read: () => read, done };
}

/** The promise's value, or 'still reading' if it has not settled within `ms`. */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still reading'> =>
  Promise.race([promise, new Promise<'still reading'>((r) => setTimeout(() => r('still reading'), ms))]);

/**
 * Either reader told what NATS says (`heed`): it reads on while its consumer answers, and ends with
 * `ReaderStalled` when the consumer does not (the server paused), or after a reconnect. `open`
 * opens a reader of the empty stream `name` from a sequence; `publish` adds one message it reads.
 */
export async function expectHeeding(nats: TestNats, name: string, open: (fromSeq: number) => Promise<Reader>, publish: () => Promise<unknown>): Promise<void> {
  const reader = await open(1);
  const { read, done } = reading(reader);
  await reader.heed({ why: 'a stream elected a new leader', reconnected: false });
  await publish();
  await eventually(() => read() === 1, 'the message published after the change');
  nats.pause();
  // SIGSTOP lands a moment after it is sent: on a busy machine the server could still answer a request sent at once.
  await new Promise((r) => setTimeout(r, 200));
  try {
    await reader.heed({ why: 'the NATS cluster changed', reconnected: false });
  } finally {
    nats.resume();
  }
  expect(await within(done, 5_000)).toEqual(new ReaderStalled(`${name}'s consumer does not answer (the NATS cluster changed)`));

  const reopened = await open(2);
  const { done: ended } = reading(reopened);
  await reopened.heed({ why: 'the connection to NATS came back', reconnected: true });
  expect(await within(ended, 5_000)).toEqual(new ReaderStalled(`${name}'s consumer was read through the old connection (the connection to NATS came back)`));
}
