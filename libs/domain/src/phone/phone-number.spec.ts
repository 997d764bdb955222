import { describe, expect, it } from '@jest/globals';
import { normaliseE164 } from './phone-number.js';

describe('L1 contact numbers in E.164', () => {
  it.each([
    ['+1 (555) 123-4567', '+15551234567'],
    ['0044 20 7946 0958', '+442079460958'],
    ['+15551234567', '+15551234567'],
    ['  +44.20.7946.0958  ', '+442079460958'],
    ['+55\u00a011\u00a091234-5678', '+5511912345678'],
  ])('L1 normaliseE164(%j) is %j', (raw, e164) => {
    expect(normaliseE164(raw)).toBe(e164);
  });

  it.each(['', 'hello', '5551234567', '+0 555 123 4567', '+1555', '+1234567890123456', '++15551234567', '+1 555 CALL NOW', '000441234567'])('L1 normaliseE164(%j) is undefined', (raw) => {
    expect(normaliseE164(raw)).toBeUndefined();
  });
});
