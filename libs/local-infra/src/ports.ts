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
  for (let attempt = 0; attempt < 1_000; attempt++) {
    // Where the ephemeral range leaves no room below it, the OS picks (0).
    const asked = last - first < 1_000 ? 0 : first + Math.floor(Math.random() * (last - first + 1));
    if (handedOut.has(asked)) continue;
    const port = await bindOnce(asked);
    if (port === undefined || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found in 1,000 tries');
}

/** Binds the port on loopback (0: one the OS picks) and lets it go: the port bound, or undefined when it is taken. */
function bindOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
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
