import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { findOrInstallChromium } from '@kite/local-infra';
import { eventually, TestSystem } from '@kite/testing';
import { fieldId } from '../apps/console/src/form/problems.js';

/**
 * The administrators' console in headless Chromium against the running system: a number
 * configured from nothing through the form, then routed as configured; a validation problem beside
 * its field; a stale save refused and shown; a draft kept across an expired token; a viewer who cannot save. With
 * KITE_CONSOLE_SCREENSHOTS set to a folder, it also takes the screenshots in docs/console/.
 */
const NUMBER = '+15550000031';
const SCREENSHOTS = process.env.KITE_CONSOLE_SCREENSHOTS;
const byPath = (page: Page, jsonPath: string) => page.locator(`#${fieldId(jsonPath)}`);
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What axe-core (WCAG 2.1 A and AA: labels, names, contrast, structure) finds wrong on the page as it stands (injected: its context bypasses the page's CSP for it). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return (await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

describe('the administrators console', () => {
  let system: TestSystem;
  let browser: Browser;

  /** A page signed in; under the console's own CSP unless axe must be injected. */
  async function signedIn(role: 'admin' | 'viewer', tenant = 'acme', { axe = false, expiresIn = '1h' } = {}): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 }, timezoneId: 'UTC', bypassCSP: axe })).newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && failures.push(m.text()));
    await page.goto(`${system.configApi}/console/`);
    await page.getByLabel('Token').fill(await system.token(tenant, role, expiresIn));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Numbers' }).waitFor();
    expect(failures).toEqual([]);
    return page;
  }
  const shoot = async (page: Page, name: string) => SCREENSHOTS && (await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true }));

  beforeAll(async () => {
    system = await TestSystem.start();
    const directory = await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [
        { number: NUMBER, channels: ['sms', 'whatsapp'], templates: [{ name: 'follow_up', language: 'en', category: 'utility', body: 'Hi {{1}}, shall we go on?' }] },
        { number: '+15550000032', channels: ['sms'] },
        { number: '+15550000033', channels: ['whatsapp'] },
      ],
      services: [
        { id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: {} },
        { id: 'svc-support', name: 'Support', agentIds: ['ag-carla'], dialplan: {} },
      ],
      agents: [
        { id: 'ag-ana', name: 'Ana' },
        { id: 'ag-bruno', name: 'Bruno' },
        { id: 'ag-carla', name: 'Carla' },
      ],
      bots: [{ id: 'bot-night', name: 'Night bot' }],
    });
    expect(directory.status).toBe(200);
    expect((await system.api('acme', 'POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-support', numbers: ['+15550000033'] }] })).status).toBe(200);
    browser = await chromium.launch({ executablePath: findOrInstallChromium(), headless: true });
    if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('configures a number from nothing through the form; an inbound message is then routed as configured', async () => {
    const page = await signedIn('admin', 'acme', { axe: true });
    await expect(page.getByRole('row', { name: new RegExp(NUMBER.replace('+', '\\+')) }).textContent()).resolves.toContain('not configured');
    await page.getByRole('link', { name: NUMBER }).click();
    await page.getByRole('heading', { name: NUMBER }).waitFor();

    await byPath(page, '$.linkedServiceId').selectOption('svc-sales');
    await byPath(page, '$.workingHours.routing.type').selectOption('group');
    await byPath(page, '$.workingHours.routing.serviceId').selectOption('svc-sales');
    await byPath(page, '$.workingHours.schedule.timeZone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await byPath(page, '$.workingHours.schedule.rules[1].days').selectOption('saturday');
    await byPath(page, '$.workingHours.schedule.rules[1].from').fill('22:00');
    await byPath(page, '$.workingHours.schedule.rules[1].to').fill('02:00');
    await expect(page.locator(`#${fieldId('$.workingHours.schedule.rules[1].to')}-hint`).textContent()).resolves.toBe('until 02:00 the next day (past midnight)');
    await page.getByRole('button', { name: 'Add closure' }).click();
    await byPath(page, '$.workingHours.schedule.closures[0]').fill('2026-12-25');
    await page.getByLabel('Route messages out of hours').check();
    await byPath(page, '$.outOfHours.routing.type').selectOption('bot');
    await byPath(page, '$.outOfHours.routing.botId').selectOption('bot-night');
    const inHours = page.getByRole('group', { name: 'Actions in working hours' });
    await inHours.getByRole('button', { name: 'Add action' }).click();
    await byPath(page, '$.workingHours.actions[0].conditions[0].type').selectOption('no_reply');
    await inHours.getByRole('button', { name: 'Add condition' }).click();
    await byPath(page, '$.workingHours.actions[0].conditions[1].type').selectOption('not_read');
    await page.getByLabel('Action 1, condition 2: unit').selectOption('hours');
    await byPath(page, '$.workingHours.actions[0].conditions[1].afterSeconds').fill('2');
    await byPath(page, '$.workingHours.actions[0].task.type').selectOption('add_members');
    await inHours.getByLabel('Carla').check();
    await inHours.getByLabel('Execute only once per conversation').check();
    await shoot(page, 'number-page');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' }).textContent()).resolves.toMatch(/^Saved: version \d+\.$/);

    const saved = (await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}`)).body as { status: string; configuration: Record<string, unknown> };
    expect(saved.status).toBe('configured');
    expect(saved.configuration).toMatchObject({
      linkedServiceId: 'svc-sales',
      workingHours: {
        routing: { type: 'group', serviceId: 'svc-sales' },
        schedule: { timeZone: 'Europe/Berlin', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }, { days: 'saturday', from: '22:00', to: '02:00' }], closures: ['2026-12-25'] },
        actions: [{ onlyOnce: true, conditions: [{ type: 'no_reply', afterSeconds: 900 }, { type: 'not_read', afterSeconds: 7200 }], task: { type: 'add_members', agentIds: ['ag-carla'] } }],
      },
      outOfHours: { routing: { type: 'bot', botId: 'bot-night' }, actions: [] },
    });

    // Monday 2026-11-30 10:00 in Berlin is working hours (the group); Sunday 2026-11-29 12:00 is not (the bot).
    await system.untilConfigApplied();
    const arrive = async (contact: string, receivedAt: string) => {
      const event = makeEvent('MessageReceived', 'acme', { messageId: `console-${contact}`, channel: 'sms', from: contact, to: NUMBER, text: 'Hello', receivedAt });
      await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
      const appended = await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === event.id)[0], 'the message linked');
      const conversationId = (appended.data as { conversationId: string }).conversationId;
      // Routing's answer: the message is days old, so the action's timer is due at once and its own MembersAdded may come first.
      const routed = (e: AnyEnvelope) => {
        const data = e.data as { conversationId: string; reason: string };
        return data.conversationId === conversationId && data.reason === 'routing';
      };
      return eventually(() => system.outboundOf('MembersAdded', routed)[0], 'members added by routing');
    };
    expect((await arrive('+15554500001', '2026-11-30T09:00:00Z')).data).toMatchObject({ members: [{ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-bruno' }], reason: 'routing' });
    expect((await arrive('+15554500002', '2026-11-29T11:00:00Z')).data).toMatchObject({ members: [{ kind: 'bot', id: 'bot-night' }], reason: 'routing' });

    await page.getByRole('link', { name: 'Week view' }).click();
    await page.locator('#week-of').fill('2026-12-21');
    const week = page.getByRole('img', { name: /Working hours of/ });
    await expect(week.locator('desc').textContent()).resolves.toContain('Fri 25 Dec: closed all day');
    await page.getByLabel("Instant (your browser's time)").fill('2026-11-30T10:00');
    await page.getByRole('button', { name: 'Simulate' }).click();
    // 10:00 in the browser's zone (UTC here) is 11:00 on a Monday in Berlin: working hours, the group.
    await expect(page.getByRole('status').filter({ hasText: 'A message at' }).textContent()).resolves.toContain('comes in working hours: routed to group Sales; it arms 1 action(s).');
    await shoot(page, 'week-view');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('row', { name: /\+15550000033/ }).waitFor();
    // The routing column comes with the list: both periods' targets, by name.
    await expect(page.getByRole('row', { name: new RegExp(NUMBER.replace('+', '\\+')) }).textContent()).resolves.toContain('group Sales; out of hours bot Night bot');
    await shoot(page, 'numbers');
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);

  it('shows a validation problem beside its field, and saves nothing', async () => {
    const page = await signedIn('admin');
    await page.goto(`${system.configApi}/console/#/numbers/${encodeURIComponent(NUMBER)}`);
    const zone = byPath(page, '$.workingHours.schedule.timeZone');
    await zone.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator(`#${fieldId('$.workingHours.schedule.timeZone')}-error`);
    await expect(error.textContent()).resolves.toContain('must be an IANA time zone');
    await expect(zone.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(zone.getAttribute('aria-describedby')).resolves.toContain(`${fieldId('$.workingHours.schedule.timeZone')}-error`);
    const stored = (await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}`)).body as { configuration: { workingHours: { schedule: { timeZone: string } } } };
    expect(stored.configuration.workingHours.schedule.timeZone).toBe('Europe/Berlin');
  }, 60_000);

  it('refuses a stale save and says what changed and who changed it', async () => {
    const page = await signedIn('admin');
    await page.goto(`${system.configApi}/console/#/numbers/${encodeURIComponent(NUMBER)}`);
    await byPath(page, '$.workingHours.schedule.closures[0]').waitFor();
    const current = (await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}`)).body as { configuration: { workingHours: { schedule: Record<string, unknown> } } & Record<string, unknown> };
    const theirs = { ...current.configuration, workingHours: { ...current.configuration.workingHours, schedule: { ...current.configuration.workingHours.schedule, closures: ['2026-12-26'] } } };
    expect((await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, theirs)).status).toBe(200);
    await byPath(page, '$.workingHours.schedule.closures[0]').fill('2027-01-01');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.locator('.conflict');
    await expect(conflict.textContent()).resolves.toMatch(/Changed since you opened it: now version \d+, by .+ \(admin\) at .+\. What changed: closures\./);
    const stored = (await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}`)).body as { configuration: { workingHours: { schedule: { closures: string[] } } } };
    expect(stored.configuration.workingHours.schedule.closures).toEqual(['2026-12-26']);
  }, 60_000);

  it('keeps the changes not saved yet when the token expires mid-edit: signed in again, they are back, and they save', async () => {
    const number = '+15550000032';
    const expired = Date.now() + 6_000;
    const page = await signedIn('admin', 'acme', { expiresIn: '6s' });
    await page.goto(`${system.configApi}/console/#/numbers/${encodeURIComponent(number)}`);
    await byPath(page, '$.workingHours.schedule.timeZone').fill('Europe/Lisbon');
    await new Promise((r) => setTimeout(r, Math.max(0, expired - Date.now()) + 1_500));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The API refused your token').waitFor();
    await page.getByLabel('Token').fill(await system.token('acme', 'admin'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: number }).waitFor();
    await page.getByRole('status').filter({ hasText: 'are back, as you left them' }).waitFor();
    await expect(byPath(page, '$.workingHours.schedule.timeZone').inputValue()).resolves.toBe('Europe/Lisbon');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: version' }).waitFor();
    const stored = (await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(number)}`)).body as { configuration: { workingHours: { schedule: { timeZone: string } } } };
    expect(stored.configuration.workingHours.schedule.timeZone).toBe('Europe/Lisbon');
    // Saved, the draft is forgotten: the page opened again shows the saved configuration, and says nothing came back.
    await page.reload();
    await page.getByRole('heading', { name: number }).waitFor();
    await expect(byPath(page, '$.workingHours.schedule.timeZone').inputValue()).resolves.toBe('Europe/Lisbon');
    expect(await page.getByText('are back, as you left them').count()).toBe(0);
  }, 60_000);

  it('P1 P2 P4 consent settings: the scope, keywords per language with their replies; a keyword that means something else is shown beside its list', async () => {
    const page = await signedIn('admin');
    await page.getByRole('link', { name: 'Consent' }).click();
    await page.getByRole('button', { name: 'Add language' }).waitFor();
    await page.getByLabel('An opt-out reaches').selectOption('service');
    await page.getByRole('button', { name: 'Add language' }).click();
    await byPath(page, '$.languages[0].language').fill('es');
    await byPath(page, '$.languages[0].optOut').fill('BAJA, start');
    await byPath(page, '$.languages[0].replies.optOut').fill('Te has dado de baja.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator(`#${fieldId('$.languages[0].optOut')}-error`).textContent()).resolves.toBe('START is already an opt-in keyword (the defaults)');
    await byPath(page, '$.languages[0].optOut').fill('BAJA, NO MAS');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = (await system.api('acme', 'GET', '/v1/consent-settings')).body;
    expect(saved).toEqual({ scope: 'service', languages: [{ language: 'es', optOut: ['BAJA', 'NO MAS'], optIn: [], help: [], replies: { optOut: 'Te has dado de baja.' } }], replies: {} });
  }, 60_000);

  it("another tenant's administrator sees none of this tenant's numbers, not even by their address", async () => {
    const page = await signedIn('admin', 'globex');
    await page.getByText('0 of 0 numbers').waitFor();
    await page.goto(`${system.configApi}/console/#/numbers/${encodeURIComponent(NUMBER)}`);
    await page.getByRole('alert').filter({ hasText: 'No such number' }).waitFor();
    expect(await page.getByText('Europe/Berlin').count()).toBe(0);
  }, 60_000);

  it('a viewer sees everything and can change nothing', async () => {
    const page = await signedIn('viewer');
    await page.getByRole('link', { name: NUMBER }).click();
    await page.getByText('You are signed in as a viewer').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await expect(byPath(page, '$.linkedServiceId').isDisabled()).resolves.toBe(true);
    await expect(byPath(page, '$.workingHours.schedule.timeZone').isDisabled()).resolves.toBe(true);
    await page.getByRole('link', { name: 'History and override' }).click();
    await page.getByRole('heading', { name: 'History', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Set override' }).count()).toBe(0);
  }, 60_000);
});
