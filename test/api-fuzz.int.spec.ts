import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TestSystem } from '@kite/testing';
import { configureGroupNumber, NUMBER } from './fixtures.js';

/**
 * No input answers 5xx: every route of both APIs (the configuration API's from its OpenAPI document,
 * the conversation API, the documentation, health and metrics), with generated path segments, query
 * strings, headers and bodies, sent as raw HTTP so nothing is normalised on the way.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REQUESTS = 5_000;
const IN_FLIGHT = 8;

interface Route {
  service: 'config-service' | 'linking-service';
  method: string;
  /** `{…}` marks a path value. */
  template: string;
}

function routes(): Route[] {
  const openapi = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const config = Object.entries(openapi.paths).flatMap(([template, operations]) =>
    Object.keys(operations)
      .filter((m) => m !== 'parameters')
      .map((m) => ({ service: 'config-service' as const, method: m.toUpperCase(), template })),
  );
  const other = [
    ...['/docs', '/docs/openapi.json', '/docs/assets/{file}', '/console', '/console/assets/{file}'].map((template) => ({ service: 'config-service' as const, method: 'GET', template })),
    { service: 'linking-service' as const, method: 'GET', template: '/v1/conversations/{id}' },
    ...(['config-service', 'linking-service'] as const).flatMap((service) => ['/health/live', '/health/ready', '/metrics'].map((template) => ({ service, method: 'GET', template }))),
  ];
  return [...config, ...other];
}

/** Path values and query values as an attacker writes them: well-formed, percent-encoded anything, or broken encodings. */
const hostileText = fc.oneof(
  fc.constantFrom(NUMBER, encodeURIComponent(NUMBER), '%', '%ZZ', '%00', '%C0%AF', '%E2%82', '%FF', '..', '%2e%2e', '%2F', '%2B', '*', '>', 'a.b', '9'.repeat(400), '%F0%9F%98%80', '%ED%A0%80', '-1', '0', '1e3', 'null', '[]', '{}'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9%._~+-]{0,30}$/),
);

const query = fc.array(fc.tuple(fc.constantFrom('at', 'limit', 'after', 'contact', 'x', 'at[]', '__proto__', 'constructor'), hostileText), { maxLength: 3 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const body = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ linkedServiceId: 'svc-sales', workingHours: v, outOfHours: v, mode: 'closed', until: v, numbers: v, services: v, agents: v, bots: v, callGroups: v, status: v, number: v, scope: v, languages: v, replies: v })),
  fc.string({ maxLength: 60 }),
  fc.constant(''),
  fc.constant('{"__proto__":{"polluted":true}}'),
);

const headers = fc.record({
  'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data'),
  'if-match': fc.oneof(fc.constant(undefined), fc.constantFrom('"1"', '"0"', '*', 'W/"2"', '"-1"', '"99999999999999999999"', 'garbage', '""')),
  authorization: fc.constantFrom('valid', 'viewer', 'none', 'Bearer ', 'Bearer a.b.c', 'Basic YTpi'),
});

const request = fc.record({ route: fc.nat(), values: fc.array(hostileText, { minLength: 1, maxLength: 2 }), query, body, headers });

function send(port: number, method: string, target: string, head: Record<string, string>, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: { ...head, 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the APIs answer no input with a 5xx', () => {
  let system: TestSystem;
  let tokens: Record<'valid' | 'viewer', string>;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config-service', 'linking-service'] });
    await configureGroupNumber(system, 'acme');
    tokens = { valid: await system.token('acme'), viewer: await system.token('acme', 'viewer') };
  }, 60_000);
  afterAll(async () => system?.stop());

  it(`${REQUESTS} generated requests over every route: none answers 5xx, and the services stay up`, async () => {
    const all = routes();
    expect(all.length).toBeGreaterThanOrEqual(16);
    const samples = fc.sample(request, { numRuns: REQUESTS, seed: 20261204 });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const route = all[s.route % all.length]!;
        let i = 0;
        const target = route.template.replace(/\{[^}]+\}/g, () => s.values[i++ % s.values.length]!) + s.query;
        const { authorization, 'if-match': ifMatch, ...rest } = s.headers;
        const auth = authorization === 'valid' || authorization === 'viewer' ? `Bearer ${tokens[authorization]}` : authorization === 'none' ? undefined : authorization;
        const head: Record<string, string> = { ...rest, ...(auth ? { authorization: auth } : {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) };
        const payload = route.method === 'GET' || route.method === 'DELETE' ? '' : s.body;
        const status = await send(system.ports[route.service], route.method, target, head, payload);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500 || status === 0) failures.push(`${status} ${route.method} ${target} ${JSON.stringify(head)} ${payload.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(failures.slice(0, 10)).toEqual([]);
    // The requests reached the handlers, not only the guards: some were accepted, some refused by validation.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 404]));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    for (const service of ['config-service', 'linking-service'] as const) expect((await fetch(`http://127.0.0.1:${system.ports[service]}/health/ready`)).status).toBe(200);
  }, 300_000);
});
