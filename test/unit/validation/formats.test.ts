import { describe, it, expect } from 'vitest';
import { LEAP_SECOND, YEAR_ZERO, dateTimeProblem } from '../../../src/validation/date-time.js';
import { emailProblem, isEmail } from '../../../src/validation/email.js';
import { decodedByteLength, isBase64, isHex } from '../../../src/validation/encodings.js';
import { isBase32, isE164 } from '../../../src/validation/patterns.js';
import { codePointCount, utf8ByteLength } from '../../../src/validation/text.js';

describe('email', () => {
  it.each([
    'a@example.com',
    'first.last+tag@sub.example.co.uk',
    "o'brien@example.ie",
    'x_y-z!#$%&*/=?^`{|}~@example.org',
    'user@xn--bcher-kva.example',
    'user@xn--p1ai.xn--p1ai',
    'josé@exämple.de',
    'USER@EXAMPLE.COM',
    '1234@123.example.io',
  ])('accepts %s', (value) => {
    expect(emailProblem(value)).toBeNull();
  });

  it.each([
    'plain',
    '@example.com',
    'a@',
    'a@example',
    'a@localhost',
    'a@@example.com',
    'a b@example.com',
    'ab@example.com ',
    ' ab@example.com',
    'a\u00a0b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    '"a b"@example.com',
    'a@[192.0.2.1]',
    'a@192.0.2.1',
    'a@-example.com',
    'a@example-.com',
    'a@example..com',
    'a@example.c',
    'a@example.123',
    `a@${'l'.repeat(64)}.com`,
    'a(comment)@example.com',
    'a@b@example.com',
  ])('rejects %j with FORMAT', (value) => {
    expect(emailProblem(value)?.code).toBe('FORMAT');
  });

  it.each([' ab@example.com', 'ab@example.com ', 'ab@example.com\t', '\u00a0ab@example.com', 'ab@example.com\u3000'])(
    'says %j has whitespace around it',
    (value) => {
      expect(emailProblem(value)).toEqual({ code: 'FORMAT', message: expect.stringContaining('whitespace before or after') as string });
    },
  );

  it('applies the 64 and 254 limits', () => {
    expect(emailProblem(`${'a'.repeat(65)}@example.com`)?.code).toBe('MAX_LENGTH');
    expect(emailProblem(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`)).toBeNull();
    expect(emailProblem(`a@${'b'.repeat(300)}.com`)?.code).toBe('MAX_LENGTH');
  });

  it('counts characters for the limits', () => {
    expect(isEmail(`${'é'.repeat(64)}@example.com`)).toBe(true);
    expect(isEmail(`${'é'.repeat(65)}@example.com`)).toBe(false);
  });

  it.each([
    'a\u200b@x.com', // zero-width space
    'a\u200d@x.com', // zero-width joiner
    '\u202eadmin@x.com', // right-to-left override
    'ad\u00admin@x.com', // soft hyphen
    'admin\ufeff@x.com', // BOM
    'a\u0007@x.com', // BEL
    'a\u0085@x.com', // C1 next line
    'l3@ex\ufffdmple.com', // a decoding error
    'a@x.co\u2060m', // word joiner in the domain
    'a\ue000@x.com', // private use
  ])('rejects invisible and control characters: %j', (value) => {
    expect(emailProblem(value)).toEqual({ code: 'FORMAT', message: expect.stringContaining('invisible or control') });
  });

  it.each(['ⅈnfo@example.com', 'ﬁle@example.com', 'ｕｓｅｒ@example.com', 'user@ｅxample.com', 'x²@example.com', 'jose\u0301@example.com'])(
    'rejects characters NFKC changes: %j',
    (value) => {
      expect(emailProblem(value)).toEqual({ code: 'FORMAT', message: expect.stringContaining('NFKC') });
    },
  );

  it('says a decomposed accent is one, and how to write it', () => {
    expect(emailProblem('jose\u0301@example.com')?.message).toContain('decomposed Unicode form (NFD: e + U+0301 for é at character 4)');
    // the character that is decomposed, not the example of every message
    expect(emailProblem('u3@bu\u0308cher.de')?.message).toBe(
      'is in decomposed Unicode form (NFD: u + U+0308 for ü at character 5), which NFKC normalisation changes: write it composed (NFC)',
    );
    expect(emailProblem('jos\u00e9@example.com')).toBeNull();
    expect(emailProblem('\ufb01le@example.com')?.message).toContain('look-alike');
  });

  it.each(['\u0430dmin@x.com', 'p\u0430ypal@x.com', 'admin@\u0430pple.com', 'ab\u03bfut@x.com', '\u0430b\u03b3@x.com'])(
    'rejects letters of mixed scripts in one part: %j',
    (value) => {
      expect(emailProblem(value)).toEqual({ code: 'FORMAT', message: expect.stringContaining('scripts') });
    },
  );

  it.each(['иван@пример.рф', 'ivan@пример.рф', 'тест1.2@x.com', 'δοκιμή@example.gr', '山田taro@example.jp', '山田たろう@例え.jp', 'θ@x.com'])(
    'accepts one script per part, and the usual CJK mixes: %s',
    (value) => {
      expect(emailProblem(value)).toBeNull();
    },
  );

  it('stays fast on hostile input', () => {
    const start = performance.now();
    for (let i = 0; i < 1000; i++) emailProblem(`${'a.'.repeat(30)}@${'b-'.repeat(100)}`);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('ISO-8601 date-time', () => {
  it.each([
    '2024-05-01T09:30:00Z',
    '2024-05-01T09:30:00.123Z',
    '2024-05-01T09:30:00.123456+02:00',
    '2024-05-01T09:30:00.123456000+02:00',
    '2024-05-01t09:30:00z',
    '2024-05-01 09:30:00-0530',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
  ])('accepts %s', (value) => {
    expect(dateTimeProblem(value)).toBeUndefined();
  });

  it.each([
    '2024-05-01',
    '2024-05-01T09:30Z',
    '2024-05-01T09:30:00',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T09:60:00Z',
    '2016-12-31T23:59:60Z',
    '2016-12-31T23:59:60.5+00:00',
    '2024-05-01T09:30:61Z',
    '2024-05-01T09:30:00+24:00',
    '01/05/2024 09:30',
    '1714555800',
  ])('rejects %s', (value) => {
    expect(dateTimeProblem(value)).toBeDefined();
  });

  // RFC 3339 allows second 60, but Date.parse gives NaN and SQLite's strftime NULL for it.
  it('says a leap second cannot be stored, and keeps the usual message for other mistakes', () => {
    expect(dateTimeProblem('2016-12-31T23:59:60Z')).toBe(
      'second 60 (a leap second) cannot be stored: timestamps here have no leap seconds; use :59 or the next minute',
    );
    expect(dateTimeProblem('2016-12-31 23:59:60.999-05:00')).toBe(LEAP_SECOND);
    // February 30 at second 60 is wrong first as a date.
    expect(dateTimeProblem('2016-02-30T23:59:60Z')).toMatch(/^2016-02-30 is not a calendar day .*; must be an ISO-8601 date-time/);
    expect(dateTimeProblem('2016-12-31T23:59:59Z')).toBeUndefined();
  });

  // PostgreSQL refused it at write time ("date/time field value out of range"); SQLite kept it.
  it('refuses year 0000 as written, on every store alike', () => {
    for (const zero of ['0000-01-01T00:00:00Z', '0000-12-31T23:00:00-05:00']) expect(dateTimeProblem(zero), zero).toBe(YEAR_ZERO);
    expect(dateTimeProblem('0001-01-01T00:00:00Z')).toBeUndefined();
  });

  // SQLite's strftime gives NULL past year 9999: a date query or sort of an export would miss the user.
  it('refuses an instant past year 9999 in UTC, and keeps those up to its last second', () => {
    for (const late of ['9999-12-31T23:59:59-01:00', '9999-12-31 23:00:00-0100', '9999-12-31T20:00:00.5-04:00', '9999-12-31T09:01:00-14:59'])
      expect(dateTimeProblem(late), late).toMatch(/after 9999-12-31T23:59:59.999999Z/);
    for (const ok of [
      '9999-12-31T23:59:59.999Z',
      '9999-12-31T22:59:59-01:00',
      '9999-12-31T23:59:59+01:00',
      '9999-12-31T09:30:00-14:29',
      '9999-12-30T23:59:59-14:59',
    ])
      expect(dateTimeProblem(ok), ok).toBeUndefined();
  });
});

describe('encodings', () => {
  it('hex: whole bytes of either case', () => {
    expect(isHex('00ffAAbb')).toBe(true);
    expect(isHex('0')).toBe(false);
    expect(isHex('0g')).toBe(false);
    expect(isHex('')).toBe(false);
  });

  it('base64: standard or url-safe, padded or not, never mixed', () => {
    for (const ok of ['YQ==', 'YQ', 'YWI=', 'YWI', 'YWJj', '+/+/', '-_-_']) expect(isBase64(ok)).toBe(true);
    for (const bad of ['', 'Y', 'YQ=', 'Y===', 'YQ===', '+_', 'YW I', 'YQ==YQ==', '=']) expect(isBase64(bad)).toBe(false);
  });

  it('base64 from an offset', () => {
    expect(isBase64('{SHA}YWJj', 5)).toBe(true);
    expect(isBase64('{SHA}', 5)).toBe(false);
  });

  it('decoded sizes', () => {
    expect(decodedByteLength('abcd', 'hex')).toBe(2);
    expect(decodedByteLength('YWJj', 'base64')).toBe(3);
    expect(decodedByteLength('YWI=', 'base64')).toBe(2);
    expect(decodedByteLength('YWI', 'base64')).toBe(2);
    expect(decodedByteLength('aé😀', 'utf8')).toBe(1 + 2 + 4);
  });
});

describe('text', () => {
  it('counts code points', () => {
    expect(codePointCount('a😀b', 0, 4)).toBe(3);
    expect(codePointCount('\ud800x', 0, 2)).toBe(2);
  });

  it('measures UTF-8 like TextEncoder', () => {
    for (const s of ['', 'abc', 'é', '山', '😀', '\ud800', 'a\udc00b']) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe('patterns', () => {
  it('E.164: + and 1 to 15 digits', () => {
    for (const ok of ['+1', '+12125550001', `+${'9'.repeat(15)}`]) expect(isE164(ok)).toBe(true);
    for (const bad of ['', '+', '1', '+1a', ' +1', `+${'9'.repeat(16)}`, '+１']) expect(isE164(bad)).toBe(false);
  });

  it('base32: A-Z and 2-7, un-padded', () => {
    expect(isBase32('JBTWY3DPEHPK3PNP')).toBe(true);
    for (const bad of ['', 'jbtw', 'JBTW=', 'JBTW1', 'JBTW8', 'JB TW']) expect(isBase32(bad)).toBe(false);
  });
});
