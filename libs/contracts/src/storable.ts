/** A NUL, or half of a UTF-16 surrogate pair without its other half: PostgreSQL stores neither (in text or jsonb). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_MESSAGE = 'holds a character that cannot be stored (NUL, or an unpaired UTF-16 surrogate)';

/**
 * The path of the first string (a value or an object's key) in a parsed JSON value that the stores
 * would refuse, or undefined when every string can be kept as given. Checked at each boundary (the
 * APIs' input, every event read), so nothing is accepted that a projection then cannot write.
 */
export function unstorablePath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  return holdsUnstorable(value) ? pathOfUnstorable(value, path) : undefined;
}

/** Whether any string of the value (or key of its objects) is unstorable: the common answer, no, found without building paths. */
function holdsUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorable);
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) if (UNSTORABLE.test(key) || holdsUnstorable((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function pathOfUnstorable(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfUnstorable(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return [...path, key];
      const found = pathOfUnstorable(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
