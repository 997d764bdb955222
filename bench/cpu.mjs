// CPU time and context switches per process group, read from /proc (Linux): where a phase's cycles went.
import fs from 'node:fs';

/** Whether `pid` is this bench or was started by it, however deeply: other servers on the machine do not count. */
function ours(pid, parents) {
  for (let at = pid; at > 1; at = parents.get(at) ?? 0) if (at === process.pid) return true;
  return false;
}

/** The group a process belongs to: a Kite service by its entry point, nats-server, postgres, this bench; undefined for the rest. */
function groupOf(pid, comm) {
  if (pid === process.pid) return 'bench';
  if (comm === 'nats-server') return 'nats-server';
  if (comm === 'postgres') return 'postgres';
  if (comm !== 'node') return undefined;
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return /dist\/apps\/([\w-]+)\/main\.js/.exec(cmdline)?.[1];
}

/**
 * CPU seconds a process's live threads have run so far, from the scheduler's own count
 * (`schedstat` of each of `/proc/<pid>/task`, in nanoseconds). `utime` and `stime` of `/proc/<pid>/stat` are
 * sampled at each clock tick (10 ms): fair over a busy phase, but a process that wakes for 50 µs a
 * few times a second is charged a whole tick now and then, which made idle figures jump 1–7 ms/s.
 */
export function cpuSecondsOf(pid) {
  let nanos = 0;
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) nanos += Number(fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
  return nanos / 1e9;
}

/** Context switches (voluntary: it waited; involuntary: it was preempted) of every thread of a process so far. */
function switchesOf(pid) {
  let switches = 0;
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
    const status = fs.readFileSync(`/proc/${pid}/task/${thread}/status`, 'utf8');
    for (const m of status.matchAll(/^(?:nonvoluntary|voluntary)_ctxt_switches:\s+(\d+)$/gm)) switches += Number(m[1]);
  }
  return switches;
}

/**
 * CPU seconds used so far by each live process of a group that this bench started
 * (or the bench itself), and its threads' context switches, by pid; empty where /proc is absent.
 */
export function processUsage() {
  const processes = new Map();
  if (!fs.existsSync('/proc/self/stat')) return processes;
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), fs.readFileSync(`/proc/${entry}/stat`, 'utf8'));
    } catch {
      // the process ended while being read
    }
  }
  const parents = new Map([...stats].map(([pid, stat]) => [pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])]));
  for (const [pid, stat] of stats) {
    try {
      const group = groupOf(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      if (!group || !ours(pid, parents)) continue;
      processes.set(String(pid), { group, seconds: cpuSecondsOf(pid), switches: switchesOf(pid) });
    } catch {
      // the process ended while being read
    }
  }
  return processes;
}

/**
 * What each group used between two readings (`seconds` of CPU, or `switches`): processes started in
 * between count whole, those that ended in between are missing (their last moments are not counted).
 */
export function spentBetween(before, after, what = 'seconds') {
  const spent = {};
  for (const [pid, usage] of after) spent[usage.group] = (spent[usage.group] ?? 0) + usage[what] - (before.get(pid)?.[what] ?? 0);
  return spent;
}
