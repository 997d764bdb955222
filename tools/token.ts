/** `npm run token -- --tenant acme --role admin [--sub alice] [--ttl 3600]`: a development token. */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, TENANT_PATTERN } from '@kite/contracts';
import { developmentSecret } from './runtime.js';

/** The longest lifetime the services accept unless AUTH_TOKEN_MAX_LIFETIME says otherwise. */
const MAX_TTL = Number(process.env.AUTH_TOKEN_MAX_LIFETIME ?? DEFAULT_TOKEN_LIFETIME_SECONDS);

/** A token signed with AUTH_JWT_SECRET, or the development secret `npm start` keeps under `.data/`. */
export async function signToken(claims: { tenant: string; role: 'admin' | 'viewer'; sub: string }, ttlSeconds = 3600, secret = developmentSecret()): Promise<string> {
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
  const ttl = Number(values.ttl);
  if (!TENANT_PATTERN.test(values.tenant) || (role !== 'admin' && role !== 'viewer') || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    console.error(`usage: npm run token -- --tenant <tenant> --role admin|viewer [--sub <who>] [--ttl <seconds, at most ${MAX_TTL}>]`);
    process.exit(2);
  }
  console.log(await signToken({ tenant: values.tenant, role, sub: values.sub }, ttl));
}
