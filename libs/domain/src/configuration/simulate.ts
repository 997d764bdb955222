import type { ConfiguredAction, ConsentScope, ConsentStatus, ConversationEvent, NumberConfiguration, NumberState, RoutingTarget } from '@kite/contracts';
import { consentFor, type OrderedConsentChange } from '../consent/consent.js';
import { evolveConversationForOutbound } from '../outbound/outbound.decider.js';
import { isWindowOpen, windowState, type WindowState } from '../whatsapp/window.js';
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
  /** W6, P3: what a message to one contact would meet, when asked for one. */
  contact?: ContactSimulation;
}

export interface ContactSimulation {
  contact: string;
  /** W6: whether a free-form WhatsApp message could leave at the instant, and the window then. */
  whatsapp: { freeForm: boolean; window: WindowState };
  /** P3: the contact's consent for messages from this number (as it stands now). */
  consent: ConsentStatus | 'none';
}

/**
 * W6, P3: for a contact, from the events of their conversation with the number's service (none
 * when they have none): whether a free-form WhatsApp message could leave at `instant`, and their
 * consent within the tenant's scope; by the same functions outbound uses.
 */
export function simulateContact(
  number: string,
  contact: string,
  conversationEvents: readonly ConversationEvent[],
  instant: Date,
  consent: { scope: ConsentScope; changes: readonly OrderedConsentChange[]; serviceOf: (number: string) => string | undefined },
): ContactSimulation {
  // What the contact had written by the instant asked about: a later message reopens nothing then.
  const upTo = conversationEvents.filter((e) => e.type !== 'ContactMessageAppended' || Date.parse(e.data.receivedAt) <= instant.getTime());
  const conversation = upTo.reduce(evolveConversationForOutbound, undefined);
  const until = conversation?.whatsappWindowUntil;
  return {
    contact,
    whatsapp: { freeForm: isWindowOpen(until, instant.getTime()), window: windowState(until, instant.getTime()) },
    consent: consentFor(consent.changes, number, consent.scope, consent.serviceOf) ?? 'none',
  };
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
