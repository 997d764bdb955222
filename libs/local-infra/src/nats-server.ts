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
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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

/** Starts `nats-server -js` on loopback with its store in `storeDir`. */
export async function startNatsServer(options: { port: number; storeDir: string; logFile?: string; log?: (line: string) => void }): Promise<RunningNats> {
  const bin = findOrInstallNatsServer(options.log);
  fs.mkdirSync(options.storeDir, { recursive: true });
  const args = ['-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir];
  if (options.logFile) args.push('-l', options.logFile);
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await Promise.race([waitForPort(options.port, 15_000), exited.then(() => Promise.reject(new Error(`nats-server exited at start (port ${options.port} taken?)`)))]);
  return {
    url: `nats://127.0.0.1:${options.port}`,
    port: options.port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
