import { normaliseE164 } from '@kite/domain';
import { Problem } from '@kite/service-kit';

/**
 * A contact given in a path or a query (`contact`), in E.164 or a written form L1 accepts. An
 * unencoded `+` in a query arrives as a space: a space before the first digit is read as the `+`.
 * Anything else (a repeated parameter, text) is a 400 naming `path`.
 */
export function contactParam(value: unknown, path: string): string {
  const contact = typeof value === 'string' ? normaliseE164(value.replace(/^ (?=\d)/, '+')) : undefined;
  if (!contact) throw new Problem(400, 'The request is not valid', undefined, [{ path, message: 'must be one phone number that can be read as E.164, such as %2B15551234567 (+15551234567)' }]);
  return contact;
}
