import { z } from 'zod';

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const Tenant = z.string().regex(TENANT_PATTERN, 'must be a tenant id: lower-case letters, digits and dashes, 1 to 63 characters');

/** E.164: a plus sign and 8 to 15 digits, the first not zero. */
export const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
export const E164 = z.string().regex(E164_PATTERN, 'must be an E.164 number such as +15551234567');

/**
 * A contact's number as a gateway may write it (`+1 (555) 123-4567`): normalised to E.164 by linking
 * (L1), which sets aside what cannot be.
 */
export const PhoneNumber = z.string().min(8).max(32).regex(/^[+0-9][0-9 ().\-\u00a0]*$/, 'must be a phone number in E.164, such as +15551234567');

/**
 * Every id (agent, bot, service, message, call, conversation, action, …): 1 to 128 letters, digits
 * and `_ - : = + @ / ~`. No whitespace, no `.` (NATS's token separator) and no `*` or `>` (its
 * wildcards), so any id can be a subject token or a key and addresses only what it names.
 */
export const ID_PATTERN = /^[0-9A-Za-z_\-:=+@/~]{1,128}$/;
export const ExternalId = z.string().regex(ID_PATTERN, 'must be an id: 1 to 128 letters, digits and _ - : = + @ / ~ (no spaces, dots, * or >)');

/** The instants and dates both PostgreSQL and JavaScript keep exactly: from 1970 up to (not into) the year 9999. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 0, 1);
const inRange = (text: string) => {
  const at = Date.parse(text);
  return at >= EARLIEST && at < LATEST;
};

export const Instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 instant such as 2026-11-24T10:00:00.000Z' })
  .refine(inRange, 'must be an instant from 1970-01-01 up to 9999-01-01');

/** A calendar date `YYYY-MM-DD` in the same range. */
export const CalendarDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' }).refine(inRange, 'must be a date from 1970-01-01 up to 9999-01-01');

/** The longest a token may live unless the services are told otherwise (AUTH_TOKEN_MAX_LIFETIME): a day. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;

export const Channel = z.enum(['sms', 'whatsapp']);
export type Channel = z.infer<typeof Channel>;

export const MemberKind = z.enum(['agent', 'bot']);
export const Member = z.object({ kind: MemberKind, id: ExternalId });
export type Member = z.infer<typeof Member>;
