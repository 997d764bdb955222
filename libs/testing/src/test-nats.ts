import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNatsServer } from '@kite/local-infra';
import { connectNats, type NatsConnection } from '@kite/messaging';

/** A nats-server of the test file's own (a free port, a store in a temporary directory) and a connection to it. */
export interface TestNats {
  url: string;
  nc: NatsConnection;
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
    stop: async () => {
      await nc.close();
      await nats.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
