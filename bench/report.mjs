// The end-to-end benchmark's report: every figure it measured, printed in the order bench/README.md reads them.
import os from 'node:os';
import { median, pct } from './probes.mjs';

const MINUTE_S = 60;

export function printReport({ payloadSize, raw, floor, hop, busOnly, stored, results, idleFresh, idle, deadLetters, replays, replayRounds, replayed, events, handlers }) {
  const REPLAY_ROUNDS = replayRounds;
  const REPLAYED = replayed;

  console.log(`\nraw bus (same NATS, ${payloadSize}-byte payload, acked): publish ${raw.publishRate.toFixed(0)}/s, consume ${raw.consumeRate.toFixed(0)}/s`);
  console.log(`round trips, idle, p50: PostgreSQL query ${floor.query.toFixed(2)} ms, transaction with one insert ${floor.commit.toFixed(2)} ms, acknowledged publish ${floor.publish.toFixed(2)} ms`);
  console.log(`process hop (two Node processes answering each other over a Unix socket), CPU of both per round trip: back to back ${hop.busy.cpuMicros.toFixed(0)} µs (${hop.busy.wallMicros.toFixed(0)} µs wall), woken after a 2 ms pause ${hop.woken.cpuMicros.toFixed(0)} µs`);
  const held = (s) => `${s.inbound.messages.toFixed(2)} inbound (${s.inbound.bytes.toFixed(0)} bytes), ${s.conversations.messages.toFixed(2)} log entries (${s.conversations.bytes.toFixed(0)}), ${s.outbound.messages.toFixed(2)} outbound events (${s.outbound.bytes.toFixed(0)})`;
  console.log(`\nbus floor: this system's NATS traffic and nothing else, through the same client code; the log consumed three times (bench/bus-floor.mjs)`);
  console.log(`  stored per inbound message: ${held(busOnly.stored)}; the system's phases: ${held(stored)}`);
  console.log(`  ${'phase'.padEnd(8)}${'inbound'.padStart(8)}${'handled/s'.padStart(11)}${'appended p50/p99 ms'.padStart(22)}${'members p50/p99 ms'.padStart(21)}${'CPU ms: NATS'.padStart(14)}${'clients'.padStart(9)}${'cores busy'.padStart(12)}   deliveries per handler call`);
  for (const r of busOnly.runs) {
    const spent = (group) => ((1000 * (r.cpu[group] ?? 0)) / r.messages).toFixed(2);
    const perCall = Object.entries(r.calls).sort().map(([durable, c]) => `${durable.replace('floor-', '')} ${(c.deliveries / c.calls).toFixed(1)}`).join(', ');
    const { appended: a, members: m } = r.latency;
    console.log(
      `  ${r.name.padEnd(8)}${String(r.messages).padStart(8)}${r.handled.toFixed(0).padStart(11)}${`${pct(a, 50).toFixed(0)}/${pct(a, 99).toFixed(0)}`.padStart(22)}${`${pct(m, 50).toFixed(0)}/${pct(m, 99).toFixed(0)}`.padStart(21)}${spent('nats-server').padStart(14)}${spent('bench').padStart(9)}${((r.cpu['nats-server'] + r.cpu.bench) / r.seconds).toFixed(2).padStart(12)}   ${perCall}`,
    );
  }
  const floorRate = (name) => busOnly.runs.find((f) => f.name === name)?.handled ?? NaN;
  console.log(`\n${'phase'.padEnd(8)}${'sent'.padStart(8)}${'offered/s'.padStart(11)}${'handled/s'.padStart(11)}${'ratio to bus'.padStart(14)}${'to floor'.padStart(10)}${'appended p50/p99 ms'.padStart(22)}${'members p50/p99 ms'.padStart(21)}${'lost'.padStart(7)}${'dup'.padStart(6)}`);
  for (const r of results) {
    const a = r.latency.appended.sort((x, y) => x - y);
    const m = r.latency.members.sort((x, y) => x - y);
    const handled = r.sent / r.drainedSeconds;
    const dup = [...r.seen.values()].filter((n) => n > 1).length + Object.keys(r.expected).reduce((n, type) => n + Math.max(0, r.got[type] - r.expected[type]), 0);
    const lost = Object.keys(r.expected).reduce((n, type) => n + Math.max(0, r.expected[type] - r.got[type]), 0);
    console.log(
      `${r.name.padEnd(8)}${String(r.sent).padStart(8)}${(r.sent / r.publishSeconds).toFixed(0).padStart(11)}${handled.toFixed(0).padStart(11)}${`${(handled / raw.publishRate).toFixed(3)}x`.padStart(14)}${(Number.isNaN(floorRate(r.name)) ? '-' : `${(handled / floorRate(r.name)).toFixed(2)}x`).padStart(10)}${`${pct(a, 50)}/${pct(a, 99)}`.padStart(22)}${`${pct(m, 50)}/${pct(m, 99)}`.padStart(21)}${String(lost).padStart(7)}${String(dup).padStart(6)}`,
    );
  }
  for (const r of results) {
    const missing = Object.keys(r.expected).filter((type) => r.got[type] !== r.expected[type]).map((type) => `${type} ${r.got[type]}/${r.expected[type]}`);
    if (missing.length) console.log(`  ${r.name}: effects seen/expected where they differ: ${missing.join(', ')}`);
  }
  for (const r of results.filter((r) => r.publishSeconds >= 2 * MINUTE_S)) {
    // Sustained means every minute keeps up: as many appended as sent, latency not growing.
    console.log(`\n${r.name} minute by minute (contact messages sent in the minute; ContactMessageAppended seen in the minute; latency of those sent in it):`);
    console.log(`  ${'minute'.padEnd(8)}${'sent/s'.padStart(8)}${'appended/s'.padStart(12)}${'p50/p99 ms'.padStart(16)}`);
    const minutes = Math.round(r.publishSeconds / MINUTE_S);
    for (let minute = 0; minute < minutes; minute++) {
      const from = r.started + minute * MINUTE_S * 1000;
      const to = from + MINUTE_S * 1000;
      const sent = r.appendedAt.filter((x) => x.sent >= from && x.sent < to).map((x) => x.at - x.sent).sort((x, y) => x - y);
      const appended = r.appendedAt.filter((x) => x.at >= from && x.at < to).length;
      console.log(`  ${String(minute + 1).padEnd(8)}${(sent.length / MINUTE_S).toFixed(0).padStart(8)}${(appended / MINUTE_S).toFixed(0).padStart(12)}${`${pct(sent, 50)}/${pct(sent, 99)}`.padStart(16)}`);
    }
    const after = r.started + minutes * MINUTE_S * 1000;
    console.log(`  then ${r.appendedAt.filter((x) => x.at >= after).length} appended in the ${(r.drainedSeconds - minutes * MINUTE_S).toFixed(1)} s to the phase's last effect`);
  }
  console.log(`\nconsumer lag when the phase stopped publishing (messages not yet acknowledged):`);
  for (const r of results) console.log(`  ${r.name.padEnd(8)}${r.lagAtEnd.filter((l) => l.lag > 0).sort((a, b) => b.lag - a.lag).map((l) => `${l.consumer} ${l.lag}`).join(', ') || 'none'}`);
  console.log(`\nCPU per inbound message, ms (time on CPU of every thread, from /proc, publish to drained; ${os.cpus().length} cores):`);
  const groups = [...new Set(results.flatMap((r) => Object.keys(r.cpu)))].sort();
  console.log(`  ${'phase'.padEnd(8)}${groups.map((g) => g.padStart(18)).join('')}${'total'.padStart(9)}${'system'.padStart(9)}${'cores busy'.padStart(12)}`);
  for (const r of results) {
    const total = Object.values(r.cpu).reduce((a, b) => a + b, 0);
    // The system is all but the load generator (`bench`), which plays the gateway and the chat platform.
    const system = total - (r.cpu.bench ?? 0);
    console.log(`  ${r.name.padEnd(8)}${groups.map((g) => ((1000 * (r.cpu[g] ?? 0)) / r.sent).toFixed(2).padStart(18)).join('')}${((1000 * total) / r.sent).toFixed(2).padStart(9)}${((1000 * system) / r.sent).toFixed(2).padStart(9)}${(total / r.drainedSeconds).toFixed(2).padStart(12)}`);
  }
  console.log(`\ncontext switches per inbound message (every thread: each is a wake-up or a preemption):`);
  console.log(`  ${'phase'.padEnd(8)}${groups.map((g) => g.padStart(18)).join('')}${'total'.padStart(9)}`);
  for (const r of results) {
    const total = Object.values(r.switches).reduce((a, b) => a + b, 0);
    console.log(`  ${r.name.padEnd(8)}${groups.map((g) => ((r.switches[g] ?? 0) / r.sent).toFixed(1).padStart(18)).join('')}${(total / r.sent).toFixed(1).padStart(9)}`);
  }
  console.log('');
  for (const [when, measured] of [['before the phases', idleFresh], ['after the phases', idle]]) {
    const total = Object.values(measured.spent).reduce((a, b) => a + b, 0);
    const groups = Object.entries(measured.spent).sort((a, b) => b[1] - a[1]).map(([group, s]) => `${group} ${((1000 * s) / measured.seconds).toFixed(1)}`).join(', ');
    console.log(`idle ${when} (no traffic, ${measured.timers} timers pending, ${measured.seconds} s): ${((1000 * total) / measured.seconds).toFixed(1)} ms of CPU per second in all (${groups})`);
  }
  console.log(`dead letters: ${deadLetters.count}`);
  for (const [reason, count] of deadLetters.reasons) console.log(`  ${count} × ${reason}`);
  console.log(`\nreplay (rebuild from KITE_CONV: ${replays[0]?.entries ?? 0} entries holding ${events} events, ${(events / (replays[0]?.entries || 1)).toFixed(2)} per entry):`);
  const rounds = (r) => (REPLAY_ROUNDS > 1 ? `round ${r.round}: ` : '');
  for (const r of replays) {
    const perEntry = events / r.entries;
    console.log(`  ${r.service.padEnd(18)} ${rounds(r)}in ${r.seconds.toFixed(1)} s from process start: ${r.rate.toFixed(0)} entries/s (${(r.rate * perEntry).toFixed(0)} events/s); from the first entry applied: ${r.applyRate.toFixed(0)} entries/s (${(r.applyRate * perEntry).toFixed(0)} events/s)`);
  }
  for (const r of replays) console.log(`  ${r.service.padEnd(18)} ${rounds(r)}cores busy while applying: ${r.busy}`);
  if (REPLAY_ROUNDS > 1) {
    for (const service of REPLAYED) {
      const mine = replays.filter((r) => r.service === service);
      const perEntry = events / mine[0].entries;
      console.log(`  ${service.padEnd(18)} median of ${mine.length}: ${(median(mine.map((r) => r.rate)) * perEntry).toFixed(0)} events/s from process start, ${(median(mine.map((r) => r.applyRate)) * perEntry).toFixed(0)} from the first entry applied`);
    }
  }
  console.log(`\nhandler calls per consumer (a batch is one call and at most one transaction; mean time of the call that settled a delivery):`);
  for (const h of handlers.sort((a, b) => b.meanMs - a.meanMs)) {
    console.log(`  ${h.consumer.padEnd(36)} ${h.meanMs.toFixed(2).padStart(8)} ms  ${String(h.count).padStart(7)} deliveries in ${String(h.calls).padStart(6)} calls (${(h.count / h.calls).toFixed(1)} per call)`);
  }
}
