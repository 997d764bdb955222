import { z } from 'zod';

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const Tenant = z.string().regex(TENANT_PATTERN, 'must be a tenant id: lower-case letters, digits and dashes, 1 to 63 characters');

/** E.164: a plus sign and 8 to 15 digits, the first not zero. */
export const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
export const E164 = z.string().regex(E164_PATTERN, 'must be an E.164 number such as +15551234567');

/** An identifier chosen by an outside system (agent, bot, service, message): printable, no spaces. */
/**
 * A contact's number as a gateway may write it (`+1 (555) 123-4567`): normalised to E.164 by linking
 * (L1), which sets aside what cannot be.
 */
export const PhoneNumber = z.string().min(8).max(32).regex(/^[+0-9][0-9 ().\-\u00a0]*$/, 'must be a phone number in E.164, such as +15551234567');

export const ExternalId = z.string().min(1).max(128).regex(/^[^\s]+$/, 'must not contain spaces');

export const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant such as 2026-11-24T10:00:00.000Z' });

export const Channel = z.enum(['sms', 'whatsapp']);
export type Channel = z.infer<typeof Channel>;

export const MemberKind = z.enum(['agent', 'bot']);
export const Member = z.object({ kind: MemberKind, id: ExternalId });
export type Member = z.infer<typeof Member>;
