import fs from 'node:fs';
import net from 'node:net';

/**
 * The first port of the range the kernel takes the local ports of outgoing connections from
 * (Linux's default when it does not say). A port found free in that range can be taken by a
 * connection to PostgreSQL or NATS before the server it was found for binds it; below it, only a
 * server that binds it takes it.
 */
function firstEphemeralPort(): number {
  try {
    const first = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 0) return first;
  } catch {
    // not Linux
  }
  return 32_768;
}

/** The ports handed out by this process: never twice, though the first one's server may not have bound it yet. */
const handedOut = new Set<number>();

/**
 * A port free on loopback now, for a server started next: picked at random below the ephemeral
 * range (from 20000), where no outgoing connection takes it meanwhile, and never one this process
 * handed out before. Asked for in turn without binding, the OS's own free ports repeat (2 in 5,000
 * sets of four), and a service whose port another one took answered readiness with the other's.
 */
export async function freePort(): Promise<number> {
  const first = 20_000;
  const last = firstEphemeralPort() - 1;
  if (last - first < 1_000) return anyFreePort();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found from ${first} to ${last} in 1,000 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the OS has free right now on loopback (where the ephemeral range leaves no room below it). */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPortOpen(port, host)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}
