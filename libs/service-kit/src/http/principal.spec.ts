import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { createTokenVerifier } from './principal.js';

const SECRET = 'a-secret-of-more-than-16-characters';
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: { iat?: number; exp?: number }) => {
  const jwt = new SignJWT({ tenant: 'acme', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ana');
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
};

describe('S1 token lifetime', () => {
  const verifier = createTokenVerifier({ secret: SECRET, maxLifetimeSeconds: 86_400 });

  it('accepts a token that lives at most the maximum, from its iat or, without one, from now', async () => {
    await expect((await verifier).verify(await token({ iat: now(), exp: now() + 86_400 }))).resolves.toEqual({ tenant: 'acme', role: 'admin', sub: 'ana' });
    await expect((await verifier).verify(await token({ exp: now() + 3_600 }))).resolves.toMatchObject({ tenant: 'acme' });
  });

  it('refuses a token without exp, or one that lives longer than the maximum', async () => {
    await expect((await verifier).verify(await token({ iat: now() }))).rejects.toThrow(/"exp" claim/);
    await expect((await verifier).verify(await token({ iat: now() - 60, exp: now() + 86_400 }))).rejects.toThrow(/lives longer than 86400 s/);
    await expect((await verifier).verify(await token({ exp: now() + 10 * 365 * 86_400 }))).rejects.toThrow(/lives longer/);
  });
});
