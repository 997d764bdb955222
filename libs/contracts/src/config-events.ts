import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { Directory } from './directory.js';
import { NumberConfiguration, NumberStatus } from './number-configuration.js';
import { E164 } from './primitives.js';

/**
 * The configuration service's events, on `kite.config.<tenant>.…` (one subject per aggregate).
 * Each carries the aggregate's whole new state, so a read model keeps the newest by sequence.
 */
export const Actor = z.object({ sub: z.string().min(1).max(200), role: z.string() });

export const DirectoryReplacedData = z.object({ directory: Directory, actor: Actor });
export const DirectoryReplaced = envelopeOf('DirectoryReplaced', DirectoryReplacedData);
export type DirectoryReplaced = z.infer<typeof DirectoryReplaced>;

export const NumberConfigurationSavedData = z.object({
  number: E164,
  status: NumberStatus.exclude(['not_configured']),
  configuration: NumberConfiguration,
  actor: Actor,
});
export const NumberConfigurationSaved = envelopeOf('NumberConfigurationSaved', NumberConfigurationSavedData);
export type NumberConfigurationSaved = z.infer<typeof NumberConfigurationSaved>;

export const NumberConfigurationRemovedData = z.object({ number: E164, actor: Actor });
export const NumberConfigurationRemoved = envelopeOf('NumberConfigurationRemoved', NumberConfigurationRemovedData);
export type NumberConfigurationRemoved = z.infer<typeof NumberConfigurationRemoved>;
