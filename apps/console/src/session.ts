/** Who is signed in: the token, and what it says of its tenant and role (the API checks them; this only shows them). */
export interface Session {
  token: string;
  tenant: string;
  role: 'admin' | 'viewer';
  sub: string;
}

const KEY = 'kite-console-token';

/** The claims a token carries, or a sentence saying why it is not one. */
export function sessionOf(token: string): Session | string {
  const payload = token.trim().split('.')[1];
  if (!payload) return 'This is not a token: a token has three parts separated by dots.';
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { tenant?: unknown; role?: unknown; sub?: unknown; exp?: unknown };
    if (typeof claims.tenant !== 'string' || (claims.role !== 'admin' && claims.role !== 'viewer')) return 'The token names no tenant or role.';
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return 'The token has expired: make a new one.';
    return { token: token.trim(), tenant: claims.tenant, role: claims.role, sub: typeof claims.sub === 'string' ? claims.sub : '' };
  } catch {
    return 'This is not a token: its middle part is not readable.';
  }
}

/** The session kept for this browser tab only. */
export function storedSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  const session = token ? sessionOf(token) : undefined;
  return typeof session === 'object' ? session : undefined;
}

export const keepSession = (session: Session | undefined): void => (session ? sessionStorage.setItem(KEY, session.token) : sessionStorage.removeItem(KEY));
