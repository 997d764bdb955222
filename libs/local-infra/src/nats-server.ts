import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exitOf, stopChild, stopOnAbort } from './children.js';
import { installWithApt, mayInstallWithApt } from './debian-package.js';
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
  if (mayInstallWithApt()) {
    log('nats-server is missing: installing it with apt-get (Debian package nats-server)');
    installWithApt('nats-server');
    const installed = onPath();
    if (installed) return installed;
  }
  throw new Error('nats-server is not installed: install it with the system\'s package manager (Debian and Ubuntu: apt-get install nats-server), or set NATS_URL to a running NATS server with JetStream');
}

const lastLines = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ') : '(no log)');

export interface RunningNats {
  url: string;
  port: number;
  stop(): Promise<void>;
  kill(): void;
  /** Halts the server without ending it (SIGSTOP), as a hung machine would: its connections stay open and silent. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
}

/**
 * Starts `nats-server -js` on loopback with its store in `storeDir`. With `ownGroup` it runs in a
 * process group of its own: a terminal's Ctrl-C then reaches only whoever started it, who stops it
 * in its turn. `signal` aborts the start, stopping the server.
 */
export interface NatsServerOptions {
  port: number;
  storeDir: string;
  logFile?: string;
  log?: (line: string) => void;
  ownGroup?: boolean;
  signal?: AbortSignal;
  /** A configuration file (users and permissions, say); the options above override what it sets. */
  configFile?: string;
  /** More command-line options (a cluster's name, routes, the server's name). */
  args?: readonly string[];
  /** Variables the configuration file refers to (passwords), beside this process's own. */
  env?: NodeJS.ProcessEnv;
}

export async function startNatsServer(options: NatsServerOptions): Promise<RunningNats> {
  const bin = findOrInstallNatsServer(options.log);
  fs.mkdirSync(options.storeDir, { recursive: true });
  const args = [...(options.configFile ? ['-c', options.configFile] : []), '-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir, ...(options.args ?? [])];
  if (options.logFile) args.push('-l', options.logFile);
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore', detached: options.ownGroup ?? false, env: { ...process.env, ...options.env } });
  const exited = exitOf(child);
  const stop = () => stopChild(child, exited, 'SIGTERM', 3_000);
  const forget = stopOnAbort(options.signal, stop);
  try {
    const failed = exited.then((error) => Promise.reject(new Error(error ? `${bin} could not be run: ${error.message}` : `nats-server exited at start (port ${options.port} taken?${options.logFile ? ` its log, ${options.logFile}, ends: ${lastLines(options.logFile)}` : ''})`)));
    await Promise.race([waitForPort(options.port, 15_000), failed]);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    forget();
  }
  return {
    url: `nats://127.0.0.1:${options.port}`,
    port: options.port,
    stop,
    kill() {
      child.kill('SIGKILL');
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}
