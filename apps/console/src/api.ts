import type { ConsentSettings, Directory, HistoryItem, NumberConfigurationBody, NumberSummary, NumberView, Override } from '@kite/contracts';
import type { Simulation } from '@kite/domain/configuration/simulate.js';
import type { Problem } from './form/problems.js';

/** The answers are the contract's and the domain's own types: the API returns them as they are. */
export type { HistoryItem, NumberSummary, NumberView, Simulation };

/** The configuration API (docs/openapi.json), as the console uses it. */

export type { Problem } from './form/problems.js';

/** An answer that is not a success: its status, its title and every problem with its path (C6). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly problems: Problem[],
  ) {
    super(title);
  }
}

export type DirectoryView = Directory & { version: number };

const path = (number: string) => `/v1/numbers/${encodeURIComponent(number)}`;

export class Api {
  constructor(
    private readonly token: string,
    /** The token was refused (expired, or signed by another key): sign in again. */
    private readonly unauthorized: () => void = () => undefined,
  ) {}

  private async call<T>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(route, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => undefined)) as { title?: string; detail?: string; errors?: Problem[] } | undefined;
    if (response.status === 401) this.unauthorized();
    if (!response.ok) throw new ApiError(response.status, answer?.title ?? answer?.detail ?? response.statusText, answer?.errors ?? []);
    return answer as T;
  }

  numbers = () => this.call<NumberSummary[]>('GET', '/v1/numbers');
  number = (number: string) => this.call<NumberView>('GET', path(number));
  save = (number: string, body: NumberConfigurationBody, version: number) => this.call<NumberView>('PUT', path(number), body, { 'if-match': `"${version}"` });
  history = (number: string) => this.call<HistoryItem[]>('GET', `${path(number)}/history`);
  simulate = (number: string, at: Date) => this.call<Simulation>('GET', `${path(number)}/simulate?at=${encodeURIComponent(at.toISOString())}`);
  setOverride = (number: string, override: Override, version: number) => this.call<NumberView>('PUT', `${path(number)}/override`, override, { 'if-match': `"${version}"` });
  clearOverride = (number: string, version: number) => this.call<NumberView>('DELETE', `${path(number)}/override`, undefined, { 'if-match': `"${version}"` });
  directory = () => this.call<DirectoryView>('GET', '/v1/directory');
  migrate = (serviceId: string, numbers: string[]) => this.call<{ migrated: string[]; unchanged: string[] }>('POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId, numbers }] });
  consentSettings = () => this.call<ConsentSettings>('GET', '/v1/consent-settings');
  saveConsentSettings = (settings: ConsentSettings) => this.call<ConsentSettings>('PUT', '/v1/consent-settings', settings);
}
