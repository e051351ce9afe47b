import { describe, expect, it } from 'vitest';
import { batch, insertedUser, output, tableRows, useHarness, type ConnectionFactory } from './contract-harness.js';

/** Values round-trip exactly: unicode text, NULLs, JSON of every shape, timestamps, integers, booleans. */
export function describeValues(factory: ConnectionFactory): void {
  const h = useHarness(factory);

  describe('values', () => {
    it('round-trips unicode text and compares unicode emails case-insensitively', async () => {
      const elodie = {
        email: 'ÉLODIE@Exämple.org',
        given_name: 'Élodie',
        family_name: 'Ñúñez',
        name: '李小龍 🐉',
        nickname: 'שלום',
        picture: 'https://example.org/ü.png',
        user_metadata: { greeting: 'こんにちは', emoji: '👩‍💻', combining: 'e\u0301', nul: 'a\u0000b' },
      };
      const out = await h().connection.writeBatch(batch([elodie, { email: 'élodie@EXÄMPLE.org' }]));
      expect(out).toEqual(output({ inserted: 1, rejects: [{ row: 2, errors: [expect.objectContaining({ code: 'DUPLICATE_IN_SOURCE' })] }] }));
      expect(await tableRows(h())).toEqual([insertedUser({ ...elodie, email: 'élodie@exämple.org' })]);
      const again = await h().connection.writeBatch(batch([{ email: 'Élodie@exämple.ORG' }], { job: 'job-2' }));
      expect(again.rejects[0]?.errors[0]?.code).toBe('DUPLICATED_USER');
    });

    it('stores NULL for null and absent values', async () => {
      await h().connection.writeBatch(batch([{ email: 'a@x.io', given_name: null, family_name: undefined, user_metadata: null, email_verified: null }]));
      expect(await tableRows(h())).toEqual([insertedUser({ email: 'a@x.io' })]);
    });

    it('round-trips JSON values of every shape', async () => {
      const rich = {
        email: 'a@x.io',
        user_metadata: {
          text: 'quote " backslash \\ newline \n tab \t',
          negative: -1.5,
          int: 42,
          maxSafe: 9007199254740991,
          yes: true,
          no: false,
          nothing: null,
          list: [1, 'two', { three: [3] }],
          empty: {},
          emptyList: [],
        },
        app_metadata: {},
        mfa_factors: [],
        custom_password_hash: { algorithm: 'sha256', hash: { value: 'abc', encoding: 'hex' } },
      };
      const scalars = { email: 'b@x.io', user_metadata: 5, app_metadata: 'text', mfa_factors: [[1], true], custom_password_hash: 1.25 };
      await h().connection.writeBatch(batch([rich, scalars]));
      expect(await tableRows(h())).toEqual([insertedUser(rich), insertedUser(scalars)]);
    });

    it('round-trips timestamps, integers and booleans', async () => {
      const values = { email: 'a@x.io', last_login: '2024-05-06T07:08:09.000Z', logins_count: 42, phone_verified: false, blocked: true };
      await h().connection.writeBatch(batch([values]));
      expect(await tableRows(h())).toEqual([insertedUser(values)]);
    });
  });
}
