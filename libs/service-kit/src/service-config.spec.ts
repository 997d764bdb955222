import { describe, expect, it } from '@jest/globals';
import { loadServiceConfig } from './service-config.js';

const SECRET = 'a-secret-of-more-than-16-characters';

describe('loadServiceConfig', () => {
  it('refuses to start without a key for tokens, naming the variable (no secret has a default)', () => {
    expect(() => loadServiceConfig('config-service', {})).toThrow(/config-service: AUTH_JWT_SECRET is not set \(nor AUTH_JWT_PUBLIC_KEY\)/);
    expect(() => loadServiceConfig('config-service', { AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET must have at least 16 characters/);
  });

  it('takes a secret or a public key, and a token lifetime of at most a day unless set (60 s to 30 days)', () => {
    expect(loadServiceConfig('linking-service', { AUTH_JWT_SECRET: SECRET }).auth).toEqual({ secret: SECRET, publicKey: undefined, maxLifetimeSeconds: 86_400 });
    expect(loadServiceConfig('linking-service', { AUTH_JWT_PUBLIC_KEY: 'PEM', AUTH_TOKEN_MAX_LIFETIME: '3600' }).auth).toEqual({ secret: undefined, publicKey: 'PEM', maxLifetimeSeconds: 3600 });
    expect(() => loadServiceConfig('linking-service', { AUTH_JWT_SECRET: SECRET, AUTH_TOKEN_MAX_LIFETIME: '31536000' })).toThrow(/AUTH_TOKEN_MAX_LIFETIME/);
  });
});
