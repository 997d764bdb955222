import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { Directory } from './directory.js';
import { NumberConfiguration, NumberStatus, type RoutingTarget } from './number-configuration.js';
import { Channel, E164, Instant } from './primitives.js';

/**
 * The configuration service's events, on `kite.config.<tenant>.…` (one subject per aggregate).
 * Each carries the aggregate's whole new state, so a read model keeps the newest by sequence.
 */
export const Actor = z.object({ sub: z.string().min(1).max(200), role: z.string() });
export type Actor = z.infer<typeof Actor>;

export const DirectoryReplacedData = z.object({ directory: Directory, actor: Actor });
export const DirectoryReplaced = envelopeOf('DirectoryReplaced', DirectoryReplacedData);
export type DirectoryReplaced = z.infer<typeof DirectoryReplaced>;

/** An administrator's emergency override of a number's schedule: `closed` or `open`, until an instant or until cleared. */
export const Override = z.object({ mode: z.enum(['open', 'closed']), until: Instant.optional() });
export type Override = z.infer<typeof Override>;

/** The whole state of one number's configuration, as every number event carries it. */
export const NumberState = z.object({
  number: E164,
  status: NumberStatus,
  configuration: NumberConfiguration.optional(),
  override: Override.optional(),
});
export type NumberState = z.infer<typeof NumberState>;

const numberEvent = <T extends string>(type: T) => envelopeOf(type, NumberState.extend({ actor: Actor }));

/** C7: a full, valid save (status `configured`). */
export const NumberConfigurationSaved = numberEvent('NumberConfigurationSaved');
export type NumberConfigurationSaved = z.infer<typeof NumberConfigurationSaved>;
/** C8: imported from a legacy call group (status `partially_configured`). */
export const NumberConfigurationMigrated = numberEvent('NumberConfigurationMigrated');
export type NumberConfigurationMigrated = z.infer<typeof NumberConfigurationMigrated>;
/** C9: back to `not_configured`. */
export const NumberConfigurationRemoved = numberEvent('NumberConfigurationRemoved');
export type NumberConfigurationRemoved = z.infer<typeof NumberConfigurationRemoved>;
export const NumberOverrideSet = numberEvent('NumberOverrideSet');
export type NumberOverrideSet = z.infer<typeof NumberOverrideSet>;
export const NumberOverrideCleared = numberEvent('NumberOverrideCleared');
export type NumberOverrideCleared = z.infer<typeof NumberOverrideCleared>;

export const NUMBER_EVENT_TYPES = ['NumberConfigurationSaved', 'NumberConfigurationMigrated', 'NumberConfigurationRemoved', 'NumberOverrideSet', 'NumberOverrideCleared'] as const;
export const isNumberEvent = (event: { type: string }): event is NumberEvent => (NUMBER_EVENT_TYPES as readonly string[]).includes(event.type);
export type NumberEvent = NumberConfigurationSaved | NumberConfigurationMigrated | NumberConfigurationRemoved | NumberOverrideSet | NumberOverrideCleared;

/** One item of `GET /v1/numbers`: a number of the directory, its status, and its linked service, routing and version once configured. */
export interface NumberSummary {
  number: string;
  channels: Channel[];
  status: NumberStatus;
  linkedServiceId?: string;
  /** Who gets its messages in working hours and out of hours (extension: the list at a glance, without reading each number). */
  routing?: { workingHours: RoutingTarget; outOfHours?: RoutingTarget };
  version?: number;
}

/** `GET /v1/numbers/{number}` and the answer of every change to a number: its state, channels and version (the `ETag`). */
export interface NumberView {
  number: string;
  channels: string[];
  status: NumberStatus;
  version: number;
  configuration?: NumberConfiguration;
  override?: Override;
}

/** One item of `GET /v1/numbers/{number}/history` (C7): a change, who made it, and the number's state after it. */
export interface HistoryItem {
  version: number;
  type: string;
  occurredAt: string;
  actor: Actor;
  data: NumberState;
}
