import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitForPort } from './ports.js';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, 'nats-server');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return CANDIDATES.find((c) => fs.existsSync(c));
}

/**
 * The `nats-server` binary: on the PATH, or installed with the system's package manager when it
 * is missing and we may (root with apt-get); otherwise an error that says how to install it.
 */
export function findOrInstallNatsServer(log: (line: string) => void = () => undefined): string {
  const found = process.env.NATS_SERVER_BIN ?? onPath();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    log('nats-server is missing: installing it with apt-get (Debian package nats-server)');
    // Its output stays out of the launcher's: a line of it could read like the launcher's own.
    const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    try {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', 'nats-server']);
    } catch (e) {
      throw new Error(`installing nats-server with apt-get failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n').at(-1)}`);
    }
    const installed = onPath();
    if (installed) return installed;
  }
  throw new Error('nats-server is not installed. Install it with: sudo apt-get install nats-server (or set NATS_URL to a running NATS server with JetStream)');
}

export interface RunningNats {
  url: string;
  port: number;
  stop(): Promise<void>;
  kill(): void;
}

/** Starts `nats-server -js` on loopback with its store in `storeDir`, in a process group of its own (a terminal's Ctrl-C reaches whoever started it, who stops it in turn). */
export async function startNatsServer(options: { port: number; storeDir: string; logFile?: string; log?: (line: string) => void }): Promise<RunningNats> {
  const bin = findOrInstallNatsServer(options.log);
  fs.mkdirSync(options.storeDir, { recursive: true });
  const args = ['-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir];
  if (options.logFile) args.push('-l', options.logFile);
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await Promise.race([waitForPort(options.port, 15_000), exited.then(() => Promise.reject(new Error(`nats-server exited at start (port ${options.port} taken?${options.logFile ? ` its log: ${options.logFile}` : ''})`)))]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `nats://127.0.0.1:${options.port}`,
    port: options.port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
