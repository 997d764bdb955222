import fs from 'node:fs';
import path from 'node:path';
import { startNatsServer, type RunningNats } from './nats-server.js';
import { freePort } from './ports.js';

/** One server of a cluster: stopped, killed and started again on the same ports and store. */
export interface ClusterNode {
  /** Its server name, as the cluster names a stream's leader. */
  name: string;
  url: string;
  running: boolean;
  kill(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RunningNatsCluster {
  /** Every node's URL, comma-separated: a NATS_URL for the whole cluster. */
  url: string;
  nodes: ClusterNode[];
  node(name: string): ClusterNode;
  /**
   * When the cluster got a new JetStream metadata leader at or after `since` (ms since the epoch),
   * from the running nodes' logs; undefined if it did not. nats-server creates no consumer without
   * one, and announces its election only to the system account.
   */
  metaLeaderElectedSince(since: number): number | undefined;
  stop(): Promise<void>;
}

/** A nats-server log line saying a metadata leader was elected, with its local time. */
const META_LEADER_LINE = /^\[\d+\] (\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})\d* \[INF\] (?:Self is new JetStream cluster metadata leader|JetStream cluster new metadata leader)/;

/** When each metadata leader election the log holds was logged (ms since the epoch). */
function metaLeaderElections(logFile: string): number[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const m = META_LEADER_LINE.exec(line);
      return m ? [new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!).getTime()] : [];
    });
}

/**
 * A JetStream cluster of `size` local `nats-server` processes (nodes `n1`…), each with its store
 * and log in `dir`: what a three-node production cluster is, on loopback. `configFile` (users and
 * permissions) is given to every node.
 */
export async function startNatsCluster(options: { dir: string; size?: number; configFile?: string; name?: string }): Promise<RunningNatsCluster> {
  const size = options.size ?? 3;
  const ports: { client: number; route: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), route: await freePort() });
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`).join(',');
  const logOf = (name: string) => path.join(options.dir, `${name}.log`);
  const nodes = ports.map((p, i): ClusterNode => {
    const name = `n${i + 1}`;
    let server: RunningNats | undefined;
    const node: ClusterNode = {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      get running() {
        return server !== undefined;
      },
      kill() {
        server?.kill();
        server = undefined;
      },
      async start() {
        server = await startNatsServer({
          port: p.client,
          storeDir: path.join(options.dir, name),
          logFile: logOf(name),
          ...(options.configFile ? { configFile: options.configFile } : {}),
          args: ['--server_name', name, '--cluster_name', options.name ?? 'kite', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes],
        });
      },
      async stop() {
        await server?.stop();
        server = undefined;
      },
    };
    return node;
  });
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
  return {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    node(name) {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no node ${name} in the cluster`);
      return found;
    },
    metaLeaderElectedSince(since) {
      const after = nodes.filter((n) => n.running).flatMap((n) => metaLeaderElections(logOf(n.name)).filter((at) => at >= since));
      return after.length > 0 ? Math.min(...after) : undefined;
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
