// What one process hop costs on this machine: two processes answer each other over a Unix socket,
// back to back (both stay busy) and with a pause between round trips (both sleep and are woken). Every
// consumer, PostgreSQL round trip and NATS delivery is such a hop, so this is the price of a hop under
// light load, where nothing is batched. On a virtual machine a wake-up can cost many times a busy hop.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cpuSecondsOf } from './cpu.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (process.argv[2] === 'echo') {
  const socket = net.connect(process.argv[3]);
  socket.on('data', (d) => socket.write(d));
} else if (process.argv[2] === 'main') {
  console.log(JSON.stringify(await wakeUpCost()));
}

/**
 * Microseconds of CPU (both processes together) and of wall clock (pauses included) per round
 * trip: `count` round trips back to back, then `count / 10` with `pauseMs` between them. Linux only
 * (the echo's CPU is read from /proc).
 */
export async function wakeUpCost({ count = 20_000, pauseMs = 2 } = {}) {
  const where = path.join(os.tmpdir(), `kite-bench-wakeup-${process.pid}.sock`);
  fs.rmSync(where, { force: true });
  const connected = new Promise((resolve) => {
    const server = net.createServer((socket) => resolve({ server, socket }));
    server.listen(where);
  });
  const echo = fork(new URL(import.meta.url).pathname, ['echo', where], { stdio: 'ignore' });
  const { server, socket } = await connected;
  const measure = async (n, pause) => {
    const cpuBefore = process.cpuUsage();
    const echoBefore = cpuSecondsOf(echo.pid);
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      await new Promise((resolve) => {
        socket.once('data', resolve);
        socket.write('x');
      });
      if (pause) await sleep(pause);
    }
    const wall = performance.now() - started;
    const own = process.cpuUsage(cpuBefore);
    const cpuSeconds = (own.user + own.system) / 1e6 + (cpuSecondsOf(echo.pid) - echoBefore);
    return { cpuMicros: (cpuSeconds * 1e6) / n, wallMicros: (wall * 1000) / n };
  };
  try {
    const busy = await measure(count, 0);
    const woken = await measure(Math.ceil(count / 10), pauseMs);
    return { busy, woken };
  } finally {
    socket.destroy();
    echo.kill();
    server.close();
    fs.rmSync(where, { force: true });
  }
}
