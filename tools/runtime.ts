import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from `dist/tools/*.js` or `tools/*.ts`. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
/** Where `npm start` keeps its servers' data and the logs: `.data/`, or `KITE_DATA_DIR`. */
export const DATA_DIR = path.resolve(ROOT, process.env.KITE_DATA_DIR || '.data');
const RUNTIME_FILE = path.join(DATA_DIR, 'runtime.json');

/** Where the running system listens, written by `npm start` for `npm run demo`. */
export interface Runtime {
  natsUrl: string;
  databaseUrl: string;
  configApiUrl: string;
  pid: number;
}

export function writeRuntime(runtime: Runtime): void {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  fs.writeFileSync(RUNTIME_FILE, JSON.stringify(runtime, null, 2));
}

export function readRuntime(): Runtime | undefined {
  try {
    return JSON.parse(fs.readFileSync(RUNTIME_FILE, 'utf8')) as Runtime;
  } catch {
    return undefined;
  }
}

/** Removes the runtime file if this process wrote it: a start that failed leaves a running system's file alone. */
export function clearRuntime(): void {
  if (readRuntime()?.pid === process.pid) fs.rmSync(RUNTIME_FILE, { force: true });
}

const SECRET_FILE = path.join(DATA_DIR, 'auth-secret');

/**
 * The secret that `npm start`'s services verify tokens with and `npm run token` signs them with,
 * when AUTH_JWT_SECRET is not set: made at random the first time and kept in `.data/auth-secret`
 * (readable by its owner only), so tokens outlive a restart and no secret is written in the source.
 */
export function developmentSecret(): string {
  if (process.env.AUTH_JWT_SECRET) return process.env.AUTH_JWT_SECRET;
  try {
    return fs.readFileSync(SECRET_FILE, 'utf8').trim();
  } catch {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // 'wx': a start and a token made at the same moment keep the first one written.
    try {
      fs.writeFileSync(SECRET_FILE, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(SECRET_FILE, 'utf8').trim();
    }
  }
}
