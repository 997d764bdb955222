import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitOf, stopChild } from './children.js';

export const SERVICE_NAMES = ['config-service', 'linking-service', 'routing-service', 'action-scheduler'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** Each service's own schema in the database. */
export const SERVICE_SCHEMAS: Record<ServiceName, string> = { 'config-service': 'config', 'linking-service': 'linking', 'routing-service': 'routing', 'action-scheduler': 'scheduler' };
export const PORT_VARIABLES: Record<ServiceName, string> = {
  'config-service': 'CONFIG_API_PORT',
  'linking-service': 'LINKING_PORT',
  'routing-service': 'ROUTING_PORT',
  'action-scheduler': 'SCHEDULER_PORT',
};

/**
 * How much lower than the rest a service runs, in niceness, where it does. The action scheduler's work
 * is due seconds to a day later (A2), routing's and linking's is what a contact waits on: where they
 * share a machine, the scheduler yields the CPU to them, and the batches it gathers meanwhile are
 * larger. Measured in bench/README.
 */
export const LOWER_PRIORITY: Partial<Record<ServiceName, number>> = { 'action-scheduler': 10 };

export interface RunningService {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Node's flags for every service (the deploy image and manifests set the same, `deploy/README.md`).
 * A batch's hundreds of deliveries live through the transaction and the publishes they wait on, so
 * with V8's default young generation (16 MB halves) most of them outlive a scavenge and are copied
 * into the old generation, to be collected again there: garbage collection was 15–20 % of each
 * service's CPU under load, about half that with 64 MB halves. And once work stops, V8's memory
 * reducer would give the heap back to the system with two full collections, about 140 ms of CPU per
 * service after every lull, where the whole idle system spends about 8 ms a second (bench/README).
 */
const NODE_FLAGS = ['--max-semi-space-size=64', '--no-memory-reducer'];

/**
 * Starts one built service (`node dist/apps/<name>/main.js`) as its own process. `output` is where
 * its logs go: inherited, ignored, piped, or appended to a file. With `ownGroup` it runs in a
 * process group of its own: a terminal's Ctrl-C then reaches only whoever started it, who stops the
 * services before the servers they need.
 */
export function startService(root: string, name: ServiceName, port: number, env: NodeJS.ProcessEnv, output: 'inherit' | 'ignore' | 'pipe' | { file: string } = 'inherit', ownGroup = false): RunningService {
  const stdio = typeof output === 'object' ? fs.openSync(output.file, 'a') : output;
  const child = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'dist/apps', name, 'main.js')], {
    env: { ...process.env, ...env, [PORT_VARIABLES[name]]: String(port) },
    stdio: ['ignore', stdio, stdio],
    detached: ownGroup,
  });
  if (typeof stdio === 'number') fs.closeSync(stdio);
  const lower = LOWER_PRIORITY[name];
  if (lower !== undefined && child.pid !== undefined) {
    try {
      os.setPriority(child.pid, Math.min(19, os.getPriority() + lower));
    } catch {
      // Not permitted here (a container without the capability, say): the default priority.
    }
  }
  const exited = exitOf(child).then(() => child.exitCode);
  return {
    name,
    port,
    child,
    exited,
    // A service drains its in-flight batch on SIGTERM, which takes well under the grace.
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, exited, signal, 4_000),
  };
}

/** Waits until `GET /health/ready` answers 200. */
export async function waitUntilReady(port: number, timeoutMs: number, exited?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited?.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Worded without "ready": a script waiting for the launcher's ready line may read this one too.
  throw new Error(gone ? `the service on port ${port} exited before its health check answered` : `the service on port ${port} did not answer its health check within ${Math.round(timeoutMs / 1000)} s`);
}
