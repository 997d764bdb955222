import type { ConfiguredAction, NumberConfiguration, NumberState, RoutingTarget } from '@kite/contracts';
import { routingTargetAt } from '../routing/routing.decide.js';
import type { Period } from '../working-hours/working-hours.js';

/** A1: the actions an inbound message in `period` arms. */
export function actionsOfPeriod(configuration: NumberConfiguration, period: Period): ConfiguredAction[] {
  return period === 'working_hours' ? configuration.workingHours.actions : (configuration.outOfHours?.actions ?? []);
}

export interface Simulation {
  number: string;
  at: string;
  status: NumberState['status'];
  period?: Period;
  overrideActive?: boolean;
  routing?: RoutingTarget | null;
  actions: ConfiguredAction[];
}

/**
 * What an inbound message at `instant` would meet: the period, the routing target and the actions
 * it would arm, by the same functions routing and the scheduler use.
 */
export function simulateAt(state: NumberState, instant: Date): Simulation {
  const base = { number: state.number, at: instant.toISOString(), status: state.status };
  if (!state.configuration) return { ...base, actions: [] };
  const { period, target } = routingTargetAt(state.configuration, instant, state.override);
  const overrideActive = !!state.override && (state.override.until === undefined || instant.getTime() < Date.parse(state.override.until));
  return { ...base, period, overrideActive, routing: target ?? null, actions: actionsOfPeriod(state.configuration, period) };
}
