/** C4: how a rule's range reads: past midnight, and the whole day, said as such. */
export function rangeNote(from: string, to: string): string | undefined {
  if (from === to) return '24 hours from its start';
  return to < from ? `until ${to} the next day (past midnight)` : undefined;
}
