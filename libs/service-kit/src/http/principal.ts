import { jwtVerify, importSPKI, type CryptoKey, type JWTPayload } from 'jose';
import { z } from 'zod';
import { Tenant } from '@kite/contracts';

export const Claims = z.object({ tenant: Tenant, role: z.enum(['admin', 'viewer']), sub: z.string().min(1).max(200) });
export type Principal = z.infer<typeof Claims>;

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * S1: HS256 tokens signed with the shared secret, or RS256 when a public key is configured
 * (production). The tenant comes from the token only; `exp` is required, and a token may not live
 * longer than `maxLifetimeSeconds` (from its `iat`, or from now without one).
 */
export async function createTokenVerifier(auth: { secret?: string | undefined; publicKey?: string | undefined; maxLifetimeSeconds: number }): Promise<TokenVerifier> {
  if (!auth.publicKey && !auth.secret) throw new Error('a secret or a public key is required to verify tokens');
  const key: CryptoKey | Uint8Array = auth.publicKey ? await importSPKI(auth.publicKey, 'RS256') : new TextEncoder().encode(auth.secret);
  const algorithms = auth.publicKey ? ['RS256'] : ['HS256'];
  return {
    async verify(token: string): Promise<Principal> {
      const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims: ['exp'] });
      if (lifetimeOf(payload) > auth.maxLifetimeSeconds) throw new Error(`the token lives longer than ${auth.maxLifetimeSeconds} s`);
      return Claims.parse(payload as JWTPayload);
    },
  };
}

/** Seconds from the token's `iat` (or now, without one) to its `exp`. */
const lifetimeOf = (payload: JWTPayload): number => payload.exp! - (typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000));
