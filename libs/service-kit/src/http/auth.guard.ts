import { Injectable, SetMetadata, UnauthorizedException, ForbiddenException, Inject, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal, TokenVerifier } from './principal.js';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
const WRITE = 'kite:write';

/** Marks a route that changes data: `admin` only (S1). Reads are open to `viewer` and `admin`. */
export const Writes = (): MethodDecorator => SetMetadata(WRITE, true);

export type AuthenticatedRequest = { headers: Record<string, string | string[] | undefined>; principal?: Principal };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '') : undefined;
    if (!token) throw new UnauthorizedException('a bearer token is required');
    try {
      request.principal = await this.verifier.verify(token);
    } catch {
      throw new UnauthorizedException('the bearer token is not valid');
    }
    if (this.reflector.get<boolean>(WRITE, context.getHandler()) && request.principal.role !== 'admin') {
      throw new ForbiddenException('this change needs the admin role');
    }
    return true;
  }
}
