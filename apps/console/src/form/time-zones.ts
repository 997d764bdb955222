/** C4: the zones a schedule may name: the browser's IANA zones, UTC, and every fixed GMT offset by quarter hours. */
export function timeZoneChoices(): string[] {
  const iana = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  const offsets: string[] = [];
  for (let minutes = -14 * 60; minutes <= 14 * 60; minutes += 15) {
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    offsets.push(`GMT${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`);
  }
  return ['UTC', ...iana.filter((z) => z.includes('/')), ...offsets];
}
