/**
 * The name of a statement's prepared form: one per distinct text, so that PostgreSQL parses it
 * once per connection. A text beyond the first `limit` gets no name (the unnamed statement,
 * parsed every time): a statement built from variable text must not grow every
 * connection's set of prepared statements without end.
 */
const names = new Map<string, string>();
const limit = 1_000;

export function statementName(sql: string): string | undefined {
  const known = names.get(sql);
  if (known !== undefined || names.size >= limit) return known;
  const name = `kite_${names.size + 1}`;
  names.set(sql, name);
  return name;
}
