import fs from 'node:fs';
import { installWithApt, mayInstallWithApt } from './debian-package.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/**
 * A Chromium for the console's browser tests: `CHROMIUM_BIN`, Debian's, or Debian's installed now
 * when it is missing and we may (root with apt-get); otherwise an error that says how to install it.
 */
export function findOrInstallChromium(log: (line: string) => void = () => undefined): string {
  const found = process.env.CHROMIUM_BIN ?? CANDIDATES.find((c) => fs.existsSync(c));
  if (found) return found;
  if (mayInstallWithApt()) {
    log('chromium is missing: installing it with apt-get (Debian package chromium)');
    installWithApt('chromium');
    const installed = CANDIDATES.find((c) => fs.existsSync(c));
    if (installed) return installed;
  }
  throw new Error("chromium is not installed: install it with the system's package manager (Debian and Ubuntu: apt-get install chromium), or set CHROMIUM_BIN to a Chromium or Chrome");
}
