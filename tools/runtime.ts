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
