import { describe, expect, it } from 'vitest';
import { inexactNumberMessage, inexactNumbers, isInexact } from '../../../src/validation/inexact-numbers.js';

const format = (path: string) => ({ code: 'FORMAT', path, message: inexactNumberMessage(true) });

describe('isInexact: a number a double would turn into another', () => {
  it.each([
    '12345678901234567891',
    '12345678901234567892',
    '9007199254740993',
    '-9007199254740993',
    '1234567890123456789',
    '12345678901234567891e0',
    '1.2345678901234567891e19',
    '123456789012345678.5',
    '1e-400', // too small for a double: it reads as 0
    '-4.9e-325',
    `0.${'0'.repeat(400)}1`,
  ])('%s is', (literal) => {
    expect(isInexact(literal)).toBe(true);
  });

  it.each([
    '9007199254740991',
    '-9007199254740991',
    '9007199254740992', // 2^53 itself: the double holds it exactly
    '12345678901234567000', // what the double prints: nothing changes
    '1e20',
    '100000000000000000000.000',
    '1.5e300',
    '0.12345678901234567891', // a fraction rounded in its last digits: how doubles work, not a lost integer
    '1e400', // Infinity: well-formed.ts reports it
    '42',
    '0',
    '-0.000e-400', // 0 written another way is 0
    '5e-324', // the smallest double: kept
  ])('%s is not', (literal) => {
    expect(isInexact(literal)).toBe(false);
  });
});

describe('inexactNumbers: FORMAT at the path of each, from the text', () => {
  it('finds them at any depth, in arrays, under a base path', () => {
    const text = '{"email":"a@x.com","id":12345678901234567891,"meta":{"tw":1234567890123456789,"ok":1e20,"l":[1,[2, 9007199254740993]]}}';
    expect(inexactNumbers(text)).toEqual([format('id'), format('meta.tw'), format('meta.l[1][1]')]);
    expect(inexactNumbers('[{"a":-12345678901234567891}]', ['user_metadata'])).toEqual([format('user_metadata[0].a')]);
  });

  it('finds a number that is the whole text (a stored JSON column holding one number), spaces before it or not', () => {
    for (const text of ['12345678901234567891', '-12345678901234567891', ' 12345678901234567891', '\n1e-400']) {
      expect(inexactNumbers(text, ['user_metadata']), text).toEqual([expect.objectContaining({ code: 'FORMAT', path: 'user_metadata' })]);
    }
    expect(inexactNumbers('9007199254740991')).toEqual([]);
  });

  it('reads keys as JSON does, escapes included, and skips digits inside strings', () => {
    const text = '{"note":"12345678901234567891, 1e5","k\\"e\\u0079":12345678901234567891,"s":"x\\"y", "n" : 1.2345678901234567891E+19}';
    expect(inexactNumbers(text)).toEqual([format('k"ey'), format('n')]);
  });

  it('screens a record with no long digit run and no exponent out without tokenizing it', () => {
    // a key repeated would confuse nothing here: the screen alone answers
    expect(inexactNumbers('{"email":"a@x.com","logins_count":900719925474099,"hash":"a1e4"}')).toEqual([]);
  });

  it('says a number too small for a double would be 0', () => {
    expect(inexactNumbers('{"a":{"tiny":1e-400},"b":[0.5e-330]}')).toEqual([
      { code: 'FORMAT', path: 'a.tiny', message: expect.stringContaining('would make it 0; write it as a string') },
      { code: 'FORMAT', path: 'b[0]', message: expect.stringContaining('would make it 0') },
    ]);
    expect(inexactNumbers(`{"z":0.${'0'.repeat(400)}1}`)).toEqual([expect.objectContaining({ path: 'z' })]);
  });

  it('stays linear on a deep record', () => {
    const depth = 20_000;
    const text = '{"a":'.repeat(depth) + '12345678901234567891' + '}'.repeat(depth);
    const [error] = inexactNumbers(text);
    expect(error?.path).toBe(Array(depth).fill('a').join('.'));
  });
});
