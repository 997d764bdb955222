import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { TestSystem } from '@kite/testing';

/** S1 in production: RS256 tokens checked with the configured public key; HS256 ones then refused. */
describe('S1 RS256 tokens and the OpenAPI document', () => {
  let system: TestSystem;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const publicKey = await exportSPKI(pair.publicKey);
    system = await TestSystem.start({ services: ['config-service'], env: { 'config-service': { AUTH_JWT_PUBLIC_KEY: publicKey } } });
  });
  afterAll(async () => system?.stop());

  const sign = (claims: Record<string, unknown>, expiresIn: string | number = '1h') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setSubject('ops@acme').setExpirationTime(expiresIn).sign(privateKey);
  const get = (token: string, route = '/v1/numbers') => fetch(`${system.configApi}${route}`, { headers: { authorization: `Bearer ${token}` } });

  it('S1 accepts an RS256 token signed with the matching key', async () => {
    expect((await get(await sign({ tenant: 'acme', role: 'viewer' }))).status).toBe(200);
  });

  it('S1 refuses an HS256 token, an expired one, one without exp, and one without a valid tenant or role', async () => {
    expect((await get(await system.token('acme'))).status).toBe(401);
    expect((await get(await sign({ tenant: 'acme', role: 'admin' }, Math.floor(Date.now() / 1000) - 60))).status).toBe(401);
    const noExp = await new SignJWT({ tenant: 'acme', role: 'admin' }).setProtectedHeader({ alg: 'RS256' }).setSubject('x').sign(privateKey);
    expect((await get(noExp)).status).toBe(401);
    expect((await get(await sign({ tenant: 'Not A Tenant', role: 'admin' }))).status).toBe(401);
    expect((await get(await sign({ tenant: 'acme', role: 'owner' }))).status).toBe(401);
  });

  it('serves a readable page at /docs over the OpenAPI document at /docs/openapi.json, the same as docs/openapi.json', async () => {
    const page = await fetch(`${system.configApi}/docs`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const html = await page.text();
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(loaded).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/initializer.js', '/docs/openapi.json']));
    for (const asset of loaded) expect([asset, (await fetch(`${system.configApi}${asset}`)).status]).toEqual([asset, 200]);
    expect((await fetch(`${system.configApi}/docs/assets/package.json`)).status).toBe(404);
    expect(await (await fetch(`${system.configApi}/docs/assets/initializer.js`)).text()).toContain("url: '/docs/openapi.json'");
    const served = (await (await fetch(`${system.configApi}/docs/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths)).toEqual(expect.arrayContaining(['/v1/directory', '/v1/numbers/{number}', '/v1/numbers/{number}/simulate', '/v1/numbers/{number}/override', '/v1/migrations/call-groups']));
    const fs = await import('node:fs');
    expect(JSON.parse(fs.readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8'))).toEqual(served);
  });
});
