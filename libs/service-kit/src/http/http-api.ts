import type { Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { ServiceConfig } from '../service-config.js';
import { AuthGuard, TOKEN_VERIFIER } from './auth.guard.js';
import { createTokenVerifier } from './principal.js';
import { ProblemFilter } from './problem.js';
import { StorableInputPipe } from './storable.pipe.js';

/** What a service with a tenant-scoped HTTP API needs: token checks (S1), input the stores can keep, and problem+json errors. */
export function httpApiProviders(config: ServiceConfig): Provider[] {
  return [{ provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(config.auth) }, { provide: APP_FILTER, useClass: ProblemFilter }, { provide: APP_PIPE, useClass: StorableInputPipe }, AuthGuard];
}
