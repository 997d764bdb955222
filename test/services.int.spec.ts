import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '@kite/local-infra';

/** How `npm start`, the tests and the bench start each service: as its own process, at its priority. */
describe('startService', () => {
  let root: string;
  const running: RunningService[] = [];

  beforeAll(() => {
    // Stand-ins for the built services: processes that wait to be stopped.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-test-services-'));
    for (const name of ['config-service', 'action-scheduler']) {
      fs.mkdirSync(path.join(root, 'dist/apps', name), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist/apps', name, 'main.js'), 'setInterval(() => undefined, 1000);\n');
    }
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the action scheduler runs 10 lower in CPU priority than its starter, the other services at its priority', () => {
    const scheduler = startService(root, 'action-scheduler', 0, {}, 'ignore');
    const config = startService(root, 'config-service', 0, {}, 'ignore');
    running.push(scheduler, config);
    expect([os.getPriority(scheduler.child.pid), os.getPriority(config.child.pid)]).toEqual([Math.min(19, os.getPriority() + 10), os.getPriority()]);
  });
});
