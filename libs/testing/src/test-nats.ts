import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNatsServer } from '@kite/local-infra';
import { connectNats, type NatsConnection } from '@kite/messaging';

/** A nats-server of the test file's own (a free port, a store in a temporary directory) and a connection to it. */
export interface TestNats {
  url: string;
  nc: NatsConnection;
  /**
   * What `work` returns, and the message gets (by sequence or subject, direct or not) sent to
   * `stream` while it ran, watched on a connection of their own.
   */
  messageGets<T>(stream: string, work: () => Promise<T>): Promise<{ result: T; asked: string[] }>;
  /** Halts the server without ending it, its connections open and silent (`RunningNats.pause`); `resume` lets it go on. */
  pause(): void;
  resume(): void;
  /** Closes the connection, stops the server and removes its store. */
  stop(): Promise<void>;
}

export async function startTestNats(name: string): Promise<TestNats> {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), `kite-${name}-`));
  const nats = await startNatsServer({ port: await freePort(), storeDir });
  const nc = await connectNats(nats.url, `${name}-test`);
  return {
    url: nats.url,
    nc,
    async messageGets(stream, work) {
      const asked: string[] = [];
      const watcher = await connectNats(nats.url, `${name}-watcher`);
      for (const api of [`$JS.API.STREAM.MSG.GET.${stream}`, `$JS.API.DIRECT.GET.${stream}`, `$JS.API.DIRECT.GET.${stream}.>`]) watcher.subscribe(api, { callback: (_e, m) => void asked.push(m.subject) });
      await watcher.flush();
      try {
        const result = await work();
        await watcher.flush();
        return { result, asked };
      } finally {
        await watcher.close();
      }
    },
    pause: () => nats.pause(),
    resume: () => nats.resume(),
    stop: async () => {
      nats.resume();
      await nc.close();
      await nats.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
