/** `npm run token -- --tenant acme --role admin [--sub alice] [--ttl 3600]`: a development token. */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEVELOPMENT_JWT_SECRET, TENANT_PATTERN } from '@kite/contracts';

export async function signToken(claims: { tenant: string; role: 'admin' | 'viewer'; sub: string }, ttlSeconds = 3600, secret = process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET): Promise<string> {
  return new SignJWT({ tenant: claims.tenant, role: claims.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

if (process.argv[1]?.endsWith('token.js')) {
  const { values } = parseArgs({ options: { tenant: { type: 'string', default: 'acme' }, role: { type: 'string', default: 'admin' }, sub: { type: 'string', default: 'developer' }, ttl: { type: 'string', default: '3600' } } });
  const role = values.role;
  if (!TENANT_PATTERN.test(values.tenant) || (role !== 'admin' && role !== 'viewer')) {
    console.error('usage: npm run token -- --tenant <tenant> --role admin|viewer [--sub <who>] [--ttl <seconds>]');
    process.exit(2);
  }
  console.log(await signToken({ tenant: values.tenant, role, sub: values.sub }, Number(values.ttl)));
}
