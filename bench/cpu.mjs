// CPU time per process group, read from /proc (Linux): where a phase's cycles went.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

/** The group a process belongs to: a Kite service by its entry point, nats-server, postgres, this bench; undefined for the rest. */
function groupOf(pid, comm) {
  if (pid === process.pid) return 'bench';
  if (comm === 'nats-server') return 'nats-server';
  if (comm === 'postgres') return 'postgres';
  if (comm !== 'node') return undefined;
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return /dist\/apps\/([\w-]+)\/main\.js/.exec(cmdline)?.[1];
}

/** CPU seconds (user + system) used so far by each live process of a group, by pid; empty where /proc is absent. */
export function cpuSeconds() {
  const processes = new Map();
  if (!fs.existsSync('/proc/self/stat')) return processes;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const group = groupOf(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      if (!group) continue;
      const fields = stat.slice(close + 2).split(' ');
      processes.set(entry, { group, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
    } catch {
      // the process ended while being read
    }
  }
  return processes;
}

/**
 * CPU seconds each group used between two readings: processes started in between count whole,
 * those that ended in between are missing (their last moments are not counted).
 */
export function cpuSpent(before, after) {
  const spent = {};
  for (const [pid, { group, seconds }] of after) spent[group] = (spent[group] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
  return spent;
}
