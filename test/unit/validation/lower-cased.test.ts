import { describe, expect, it } from 'vitest';
import { lowerCased } from '../../../src/validation/text.js';

describe('lowerCased', () => {
  it('is toLowerCase, for every UTF-16 unit and for texts mixing them', () => {
    for (let unit = 0; unit < 0x10000; unit++) {
      const one = String.fromCharCode(unit);
      expect(lowerCased(one)).toBe(one.toLowerCase());
    }
    for (const text of [
      '',
      'a@x.io',
      'A@X.IO',
      'lukasz.lamarr.0@example.org',
      'Łukasz@x.io',
      'łukasz@x.io',
      'İstanbul',
      'x\u00c0',
      'a\ud83d\ude00Z',
      '@[\\]^_`{|}~',
    ]) {
      expect(lowerCased(text)).toBe(text.toLowerCase());
    }
  });
});
