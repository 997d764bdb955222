import { makeEvent, type Actor, type NumberConfiguration, type NumberConfigurationBody, type NumberEvent, type NumberState, type NumberStatus, type Override } from '@kite/contracts';
import { configurationToStore } from './configuration.decide.js';

/** A number that was never configured. */
export const unconfiguredNumber = (number: string): NumberState => ({ number, status: 'not_configured' });

/**
 * C8, C9: the configuration a number's routing, actions and outbound follow: its data when it is
 * configured or partially configured, none once it is `not_configured` (removed, or never saved).
 */
export const configurationInForce = (number: { status: NumberStatus; configuration?: NumberConfiguration | undefined } | undefined): NumberConfiguration | undefined =>
  number?.status === 'not_configured' ? undefined : number?.configuration;

/** Every number event carries the whole new state. */
export const evolveNumber = (_state: NumberState, event: NumberEvent): NumberState => {
  const { actor: _actor, ...state } = event.data;
  return state;
};

export type NumberDecision = { ok: true; events: NumberEvent[] } | { ok: false; status: 409; reason: string };

const decided = (...events: NumberEvent[]): NumberDecision => ({ ok: true, events });

/** C7, C8: a full, valid save makes the number `configured`; the override in force is kept. */
export function decideSave(state: NumberState, tenant: string, body: NumberConfigurationBody, actor: Actor, newId?: () => string): NumberDecision {
  const configuration = configurationToStore(body, newId);
  return decided(makeEvent('NumberConfigurationSaved', tenant, { number: state.number, status: 'configured', configuration, ...(state.override ? { override: state.override } : {}), actor }));
}

/** C9: back to `not_configured` (and any override goes with the configuration). Nothing to do when it already is. */
export function decideRemove(state: NumberState, tenant: string, actor: Actor): NumberDecision {
  if (state.status === 'not_configured') return decided();
  return decided(makeEvent('NumberConfigurationRemoved', tenant, { number: state.number, status: 'not_configured', actor }));
}

/**
 * C8: a legacy call group's SMS setting becomes a `partially_configured` configuration: linked to the
 * call group's service, routed to its group, always in working hours (no schedule was ever set).
 * A number that already has a configuration keeps it, so running the migration twice changes nothing.
 */
export function decideMigrate(state: NumberState, tenant: string, serviceId: string, actor: Actor): NumberDecision {
  if (state.status !== 'not_configured') return decided();
  const configuration = { linkedServiceId: serviceId, workingHours: { routing: { type: 'group' as const, serviceId }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] } };
  return decided(makeEvent('NumberConfigurationMigrated', tenant, { number: state.number, status: 'partially_configured', configuration, actor }));
}

/** The emergency override beats the schedule; only a number with a configuration (full or migrated) has one to beat. */
export function decideOverride(state: NumberState, tenant: string, override: Override | undefined, actor: Actor): NumberDecision {
  if (state.status === 'not_configured' || !state.configuration) return { ok: false, status: 409, reason: `${state.number} is not configured: there is no schedule to override` };
  const { override: _previous, ...rest } = state;
  if (!override) return state.override ? decided(makeEvent('NumberOverrideCleared', tenant, { ...rest, actor })) : decided();
  return decided(makeEvent('NumberOverrideSet', tenant, { ...rest, override, actor }));
}
