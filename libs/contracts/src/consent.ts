import { z } from 'zod';
import { Actor } from './config-events.js';
import { envelopeOf } from './envelope.js';
import { E164, ExternalId, Instant, PhoneNumber } from './primitives.js';

/** P2: how far an opt-out reaches: the number it was sent to, every number linked to that number's service, or the whole tenant. */
export const ConsentScope = z.enum(['number', 'service', 'tenant']);
export type ConsentScope = z.infer<typeof ConsentScope>;

export const ConsentStatus = z.enum(['opted_out', 'opted_in']);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

/** What an inbound keyword message is (P1, P5). */
export const KeywordKind = z.enum(['opt_out', 'opt_in', 'help']);
export type KeywordKind = z.infer<typeof KeywordKind>;

/**
 * P6: one change of a contact's consent, with where it came from: a keyword message (its id and
 * the keyword), an administrator (`api`, with the actor) or the provider (`provider`, with its code).
 * Without `number` it holds for every number of the tenant.
 */
export const ConsentChange = z.object({
  contact: E164,
  status: ConsentStatus,
  number: E164.optional(),
  source: z.enum(['keyword', 'api', 'provider']),
  at: Instant,
  messageId: ExternalId.optional(),
  keyword: z.string().min(1).max(160).optional(),
  providerCode: z.string().min(1).max(100).optional(),
  actor: Actor.optional(),
});
export type ConsentChange = z.infer<typeof ConsentChange>;

/** On `kite.config.<tenant>.consent.<contact digits>`: the changes of one contact, in order. */
export const ConsentChanged = envelopeOf('ConsentChanged', ConsentChange);
export type ConsentChanged = z.infer<typeof ConsentChanged>;

const Keywords = z.array(z.string().trim().min(1).max(40)).max(20);
const ReplyText = z.string().min(1).max(1600);
export const ConsentReplies = z.object({ optOut: ReplyText.optional(), optIn: ReplyText.optional(), help: ReplyText.optional() });
export type ConsentReplies = z.infer<typeof ConsentReplies>;

/** P1, P2, P4: a tenant's consent settings: the opt-out scope, keywords added per language (with their own replies), and the reply texts. */
export const ConsentSettings = z.object({
  scope: ConsentScope.default('number'),
  languages: z
    .array(z.object({ language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as es or pt_BR'), optOut: Keywords.default([]), optIn: Keywords.default([]), help: Keywords.default([]), replies: ConsentReplies.default({}) }))
    .max(20)
    .default([]),
  replies: ConsentReplies.default({}),
});
export type ConsentSettings = z.infer<typeof ConsentSettings>;

/** On `kite.config.<tenant>.consent-settings`: the tenant's whole consent settings. */
export const ConsentSettingsSaved = envelopeOf('ConsentSettingsSaved', z.object({ settings: ConsentSettings, actor: Actor }));
export type ConsentSettingsSaved = z.infer<typeof ConsentSettingsSaved>;

/** P7: the provider reports that a contact opted out (a carrier's own STOP handling, a WhatsApp block). */
export const ContactOptedOutData = z.object({ contact: PhoneNumber, number: E164, providerCode: z.string().min(1).max(100), at: Instant, messageId: ExternalId.optional() });
export const ContactOptedOut = envelopeOf('ContactOptedOut', ContactOptedOutData);
export type ContactOptedOut = z.infer<typeof ContactOptedOut>;

/** `PUT /v1/consent/{contact}`: an opt-out (or opt-in) an administrator records, received another way (P6). */
export const ConsentChangeBody = z.object({ status: ConsentStatus, number: E164.optional() });
export type ConsentChangeBody = z.infer<typeof ConsentChangeBody>;
