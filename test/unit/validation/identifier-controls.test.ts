import { describe, expect, it } from 'vitest';
import { validateUser } from '../../../src/validation/user-schema.js';

const errorsOf = (record: Record<string, unknown>) => validateUser({ email: 'a@x.io', ...record }, { rejectUnknownFields: true });

/*
 * Text PostgreSQL cannot hold (U+0000) was accepted in user_id, connection and picture, stored by
 * SQLite and refused by PostgreSQL at write time: one store kept what the other refused.
 */
describe('control characters in identifiers and URLs', () => {
  it.each(['user_id', 'connection'])('%s refuses C0 and C1 controls as FORMAT, naming the character', (field) => {
    expect(errorsOf({ [field]: 'auth0|a\u0000b' })).toEqual([
      { code: 'FORMAT', path: field, message: 'contains a control character (U+0000 at character 8), which an identifier cannot hold' },
    ]);
    expect(errorsOf({ [field]: 'id\n' })[0]?.message).toMatch(/U\+000A at character 3/);
    expect(errorsOf({ [field]: '😀\u0085' })[0]?.message).toBe(
      'contains a control character (U+0085 at character 2), which an identifier cannot hold; a C1 control in an identifier usually means the file was decoded with the wrong encoding',
    );
    expect(errorsOf({ [field]: 'auth0|ünï 😀 id' })).toEqual([]);
    expect(errorsOf({ [field]: '' })).toEqual([{ code: 'MIN_LENGTH', path: field, message: 'must be at least 1 character long' }]);
  });

  it.each(['https://x.io/a\u0000.png', 'https://x\u0000.io/a.png', 'https://x.io/\u007f', 'https://x.io/?q=\u0085', 'https://u\u0001@x.io/'])(
    'picture %j is not a URL',
    (picture) => {
      expect(errorsOf({ picture })).toEqual([{ code: 'FORMAT', path: 'picture', message: 'must be an absolute http or https URL' }]);
    },
  );

  it('picture keeps non-ASCII URLs', () => {
    expect(errorsOf({ picture: 'https://bücher.example/ü.png?x=é#frag' })).toEqual([]);
  });
});

/*
 * A PostgreSQL index entry holds at most 2704 bytes: a user_id of 1500 random bytes as hex (3000
 * characters) failed its whole batch and the job ("index row size 3016 exceeds btree version 4
 * maximum 2704 for index users_pkey"), where SQLite stored it.
 */
describe('user_id length', () => {
  it('takes up to 512 characters, counted as code points, and refuses more as MAX_LENGTH', () => {
    expect(errorsOf({ user_id: 'a'.repeat(512) })).toEqual([]);
    expect(errorsOf({ user_id: '😀'.repeat(512) })).toEqual([]);
    expect(errorsOf({ user_id: 'a'.repeat(513) })).toEqual([{ code: 'MAX_LENGTH', path: 'user_id', message: 'must be at most 512 characters long' }]);
    expect(errorsOf({ user_id: 'f0'.repeat(1500) })).toEqual([{ code: 'MAX_LENGTH', path: 'user_id', message: 'must be at most 512 characters long' }]);
  });

  it('connection, in no index, has no limit', () => {
    expect(errorsOf({ connection: 'c'.repeat(10_000) })).toEqual([]);
  });
});
