const FIXED_OFFSET = /^GMT([+-])(\d{2}):(\d{2})$/;

/**
 * C4: a schedule's zone is an IANA name (`America/Sao_Paulo`) or a fixed offset written `GMT-03:00`.
 * Returns the zone as the wall clock reads it (a fixed offset as `-03:00`), or undefined when it is neither.
 */
export function resolveTimeZone(name: string): string | undefined {
  const fixed = FIXED_OFFSET.exec(name);
  if (fixed) {
    const [, sign, hours, minutes] = fixed;
    if (Number(hours) > 14 || Number(minutes) > 59) return undefined;
    return `${sign}${hours}:${minutes}`;
  }
  if (!name.includes('/') && name !== 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

export function isKnownTimeZone(name: string): boolean {
  return resolveTimeZone(name) !== undefined;
}
