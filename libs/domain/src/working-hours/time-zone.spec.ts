import { describe, expect, it } from '@jest/globals';
import { isKnownTimeZone, resolveTimeZone } from './time-zone.js';

describe('C4 schedule time zones', () => {
  describe('IANA names', () => {
    it.each(['America/Sao_Paulo', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'])('C4 accepts %s and resolves it to itself', (name) => {
      expect(resolveTimeZone(name)).toBe(name);
      expect(isKnownTimeZone(name)).toBe(true);
    });

    it.each(['Mars/Olympus_Mons', 'America/Atlantis', 'Nowhere', 'EST5', ''])('C4 refuses %j', (name) => {
      expect(resolveTimeZone(name)).toBeUndefined();
      expect(isKnownTimeZone(name)).toBe(false);
    });
  });

  describe('fixed offsets written GMT±hh:mm', () => {
    it.each([
      ['GMT-03:00', '-03:00'],
      ['GMT+05:30', '+05:30'],
      ['GMT+00:00', '+00:00'],
      ['GMT+14:00', '+14:00'],
      ['GMT-12:00', '-12:00'],
    ])('C4 accepts %s as the offset %s', (name, offset) => {
      expect(resolveTimeZone(name)).toBe(offset);
      expect(isKnownTimeZone(name)).toBe(true);
    });

    it.each(['GMT-3', 'GMT-03', 'GMT+0530', 'GMT+15:00', 'GMT+05:60', 'GMT 05:30', 'gmt+05:30', 'UTC+05:30', '+05:30', 'GMT+05:30 '])('C4 refuses %j', (name) => {
      expect(resolveTimeZone(name)).toBeUndefined();
      expect(isKnownTimeZone(name)).toBe(false);
    });
  });
});
