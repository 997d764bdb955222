import { z } from 'zod';
import { Channel, E164, ExternalId } from './primitives.js';
import { WhatsAppTemplate } from './whatsapp-templates.js';

/** The tenant's directory (`PUT /v1/directory`): its numbers, services (call groups), agents and bots. */
/** `templates`: the WhatsApp templates the provider approved for the number (W3). */
export const DirectoryNumber = z.object({ number: E164, channels: z.array(Channel).max(2), templates: z.array(WhatsAppTemplate).max(250).optional() });
export const DirectoryService = z.object({
  id: ExternalId,
  name: z.string().min(1).max(200),
  agentIds: z.array(ExternalId).max(1000),
  dialplan: z.object({ smsNumber: E164.optional() }).default({}),
});
export const DirectoryAgent = z.object({ id: ExternalId, name: z.string().min(1).max(200) });
export const DirectoryBot = z.object({ id: ExternalId, name: z.string().min(1).max(200) });

export const Directory = z.object({
  numbers: z.array(DirectoryNumber).max(10_000),
  services: z.array(DirectoryService).max(10_000),
  agents: z.array(DirectoryAgent).max(100_000),
  bots: z.array(DirectoryBot).max(10_000),
});
export type Directory = z.infer<typeof Directory>;
export type DirectoryService = z.infer<typeof DirectoryService>;
export type DirectoryNumber = z.infer<typeof DirectoryNumber>;
