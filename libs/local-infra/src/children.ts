import type { ChildProcess } from 'node:child_process';

/** When the child is gone: its exit, or the error that kept it from starting (then given). */
export function exitOf(child: ChildProcess): Promise<Error | undefined> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve(undefined));
    child.once('error', (e) => resolve(e));
  });
}

const running = (child: ChildProcess) => child.pid !== undefined && child.exitCode === null && child.signalCode === null;

/** Asks the child to stop with `signal`; past `graceMs`, kills it. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!running(child)) return;
  child.kill(signal);
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
  if (!stopped && running(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Stops the child as `stopChild` does when `signal` aborts, while a start waits on it. */
export function stopOnAbort(signal: AbortSignal | undefined, stop: () => Promise<void>): () => void {
  if (!signal) return () => undefined;
  const onAbort = () => void stop();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
