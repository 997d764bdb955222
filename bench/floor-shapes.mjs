// The bus floor in each of its shapes (bench/bus-floor.mjs), alternated in one run on one
// nats-server: what the NATS traffic of a design without the conversation log would cost beside
// the system's, before anyone builds it. Nothing else runs: no PostgreSQL, no services.
// `npm run bench:floor-shapes` (FLOOR_RATE, FLOOR_SECONDS, FLOOR_ROUNDS to change the run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNatsServer } from '@kite/local-infra';
import { busFloor, SHAPES } from './bus-floor.mjs';
import { median, pct } from './probes.mjs';

const RATE = Number(process.env.FLOOR_RATE ?? 200);
const SECONDS = Number(process.env.FLOOR_SECONDS ?? 20);
const ROUNDS = Number(process.env.FLOOR_ROUNDS ?? 3);
for (const [name, value] of [['FLOOR_RATE', RATE], ['FLOOR_SECONDS', SECONDS], ['FLOOR_ROUNDS', ROUNDS]]) if (!(value > 0)) throw new Error(`${name}: ${value} is not a positive number`);

const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-floor-shapes-'));
const nats = await startNatsServer({ port: await freePort(), storeDir });
try {
  console.log(`${os.cpus().length} cores, Node ${process.version}; ${RATE} inbound messages per second for ${SECONDS} s, ${ROUNDS} rounds of each shape, alternated`);
  console.log(`${'round'.padEnd(7)}${'shape'.padEnd(10)}${'handled/s'.padStart(10)}${'appended p50/p99 ms'.padStart(22)}${'members p50/p99 ms'.padStart(21)}${'CPU ms per inbound: NATS'.padStart(26)}${'clients'.padStart(9)}${'total'.padStart(8)}   stored per inbound`);
  const totals = Object.fromEntries(SHAPES.map((s) => [s, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const shape of SHAPES) {
      const { runs, stored } = await busFloor(nats.url, [{ name: `${RATE}/s`, rate: RATE, messages: RATE * SECONDS }], shape);
      const [r] = runs;
      const spent = (group) => (1000 * (r.cpu[group] ?? 0)) / r.messages;
      const total = spent('nats-server') + spent('bench');
      totals[shape].push(total);
      const { appended: a, members: m } = r.latency;
      const held = Object.entries(stored).filter(([, s]) => s.messages > 0).map(([what, s]) => `${what} ${s.messages.toFixed(2)}`).join(', ');
      console.log(
        `${String(round).padEnd(7)}${shape.padEnd(10)}${r.handled.toFixed(0).padStart(10)}${`${pct(a, 50).toFixed(0)}/${pct(a, 99).toFixed(0)}`.padStart(22)}${`${pct(m, 50).toFixed(0)}/${pct(m, 99).toFixed(0)}`.padStart(21)}${spent('nats-server').toFixed(2).padStart(26)}${spent('bench').toFixed(2).padStart(9)}${total.toFixed(2).padStart(8)}   ${held}`,
      );
    }
  }
  console.log(`median CPU ms per inbound message, NATS and clients: ${SHAPES.map((s) => `${s} ${median(totals[s]).toFixed(2)}`).join(', ')}`);
} finally {
  await nats.stop();
  fs.rmSync(storeDir, { recursive: true, force: true });
}
