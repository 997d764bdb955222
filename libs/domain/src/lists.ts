/**
 * `list` with the items of `more` it lacks appended, in their order, each once; `list` itself when
 * it lacks none, so a fold that added nothing gives back the state it was given.
 */
export function withNew<T>(list: readonly T[], more: readonly T[]): readonly T[] {
  const fresh = more.filter((x, i) => !list.includes(x) && more.indexOf(x) === i);
  return fresh.length ? [...list, ...fresh] : list;
}
