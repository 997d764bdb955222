import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@kite/local-infra';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the built `npm start` with `env`; its exit code and output once it exits. */
function runStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/tools/start.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

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
    const { code, output } = await runStart({
      CONFIG_API_PORT: String(await freePort()),
      LINKING_PORT: String(takenPort),
      ROUTING_PORT: String(await freePort()),
      SCHEDULER_PORT: String(await freePort()),
      // Never reached: the ports are checked first. Were they not, these would fail instead of starting servers under .data/.
      NATS_URL: 'nats://127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(output).toContain(`could not start: port ${takenPort} for linking-service is in use`);
    expect(output).toContain('LINKING_PORT');
    expect(output).not.toContain('ready\n');
    expect(output).not.toMatch(/exited/);
  });
});
