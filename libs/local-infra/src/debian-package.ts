import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Whether this process may install a Debian package itself: root, with apt-get. */
export const mayInstallWithApt = (): boolean => process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');

/** Installs a Debian package with apt-get; its output stays out of ours (a line of it could read like ours). */
export function installWithApt(pkg: string): void {
  const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', pkg]);
  } catch (e) {
    throw new Error(`installing ${pkg} with apt-get failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n').at(-1)}`);
  }
}
