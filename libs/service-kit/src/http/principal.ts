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
 * (production). The tenant comes from the token only; `exp` is required.
 */
export async function createTokenVerifier(auth: { secret: string; publicKey?: string | undefined }): Promise<TokenVerifier> {
  const key: CryptoKey | Uint8Array = auth.publicKey ? await importSPKI(auth.publicKey, 'RS256') : new TextEncoder().encode(auth.secret);
  const algorithms = auth.publicKey ? ['RS256'] : ['HS256'];
  return {
    async verify(token: string): Promise<Principal> {
      const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims: ['exp'] });
      return Claims.parse(payload as JWTPayload);
    },
  };
}
