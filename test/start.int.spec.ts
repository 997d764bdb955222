import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { freePort, isPortOpen } from '@kite/local-infra';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICE_PORTS = ['CONFIG_API_PORT', 'LINKING_PORT', 'ROUTING_PORT', 'SCHEDULER_PORT'] as const;

/** The built `npm start`, in a process group of its own as a terminal would run it, with its output as it comes. */
const tokenSignedWith = (secret: string) =>
  new SignJWT({ tenant: 'acme', role: 'viewer' }).setProtectedHeader({ alg: 'HS256' }).setSubject('viewer@acme').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));

function launch(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/tools/start.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const readyLines = (output: string) => output.split('\n').filter((line) => /ready/i.test(line));
const portOf = (output: string, pattern: RegExp) => Number(pattern.exec(output)?.[1]);

describe('npm start', () => {
  let taken: net.Server;
  let takenPort: number;

  beforeAll(async () => {
    takenPort = await freePort();
    taken = net.createServer((socket) => {
      // The port check connects and hangs up at once: a reset while answering is expected here.
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
  });

  it('refuses to start when a service port is taken (something there may even answer ready), before starting anything', async () => {
    const start = launch({
      CONFIG_API_PORT: String(await freePort()),
      LINKING_PORT: String(takenPort),
      ROUTING_PORT: String(await freePort()),
      SCHEDULER_PORT: String(await freePort()),
      // Never reached: the ports are checked first. Were they not, these would fail instead of starting servers under .data/.
      NATS_URL: 'nats://127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(await start.exited).toBe(1);
    const output = start.output();
    expect(output).toContain(`could not start: port ${takenPort} for linking-service is in use`);
    expect(output).toContain('LINKING_PORT');
    expect(readyLines(output)).toEqual([]);
    expect(output).not.toMatch(/exited/);
  });

  it('prints its one ready line only once every service answers ready; SIGINT to its process group stops everything within 10 s; the next start finds the data', async () => {
    // Private (mode 0700), as a clone in `mktemp -d` is: as root, PostgreSQL's user cannot reach it.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-start-'));
    const ports = Object.fromEntries(await Promise.all(SERVICE_PORTS.map(async (name) => [name, String(await freePort())])));
    const env = { ...ports, KITE_DATA_DIR: dataDir, NATS_URL: '', DATABASE_URL: '', AUTH_JWT_SECRET: '' };
    let firstSecret = '';
    try {
      for (const round of ['first', 'second']) {
        const start = launch(env);
        // Polled as the lines come: when the ready line shows, every service must answer 200 already.
        let answered: number[] = [];
        await until(`${round} start's ready line`, async () => {
          if (readyLines(start.output()).length === 0) return start.child.exitCode !== null;
          answered = await Promise.all(SERVICE_PORTS.map(async (name) => (await fetch(`http://127.0.0.1:${ports[name]}/health/ready`)).status));
          return true;
        }, 120_000);
        const output = start.output();
        expect(readyLines(output)).toHaveLength(1);
        expect(answered).toEqual([200, 200, 200, 200]);
        expect(output.includes('creating its data directory')).toBe(round === 'first');
        const natsPort = portOf(output, /NATS on nats:\/\/127\.0\.0\.1:(\d+)/);
        const postgresPort = portOf(output, /PostgreSQL on postgres:\/\/[^@]+@localhost:(\d+)/);
        expect([natsPort, postgresPort].every(Number.isInteger)).toBe(true);
        // No secret in the source: the services verify tokens with one made for this data directory, kept across starts.
        const secretFile = path.join(dataDir, 'auth-secret');
        expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
        const secret = fs.readFileSync(secretFile, 'utf8');
        if (round === 'first') firstSecret = secret;
        expect(secret).toBe(firstSecret);
        const numbers = async (key: string) => (await fetch(`http://127.0.0.1:${ports.CONFIG_API_PORT}/v1/numbers`, { headers: { authorization: `Bearer ${await tokenSignedWith(key)}` } })).status;
        expect([await numbers(secret), await numbers('kite-development-secret-change-me')]).toEqual([200, 401]);

        const signalled = Date.now();
        process.kill(-start.child.pid!, 'SIGINT');
        expect(await start.exited).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(10_000);
        expect(start.output()).toMatch(/\[kite\] stopped\n$/);
        expect(start.output()).not.toMatch(/EPIPE|ENOENT|Error/);
        const open = await Promise.all([...SERVICE_PORTS.map((name) => Number(ports[name])), natsPort, postgresPort].map((port) => isPortOpen(port)));
        expect(open).toEqual([false, false, false, false, false, false]);
        expect(fs.existsSync(path.join(dataDir, 'runtime.json'))).toBe(false);
      }
    } finally {
      // As root, PostgreSQL's data lives outside this private folder, where the file beside it says.
      const elsewhere = path.join(dataDir, 'postgres.location');
      if (fs.existsSync(elsewhere)) fs.rmSync(path.dirname(fs.readFileSync(elsewhere, 'utf8').trim()), { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
