import { describe, expect, it } from 'vitest';
import { batch, insertedUser, now1, now2, output, tableRows, useHarness, type ConnectionFactory, type ConnectionHarness } from './contract-harness.js';

const ann = {
  email: 'ann@x.io',
  username: 'ann',
  given_name: 'Ann',
  family_name: 'Lee',
  nickname: 'annie',
  email_verified: true,
  password_hash: '$2b$10$abcdefghijklmnopqrstuv',
  user_metadata: { plan: 'free', prefs: { theme: 'light', lang: 'en' }, tags: ['a', 'b'], keep: 1 },
  app_metadata: { roles: ['user'], org: { id: 1 } },
  mfa_factors: [{ totp: { secret: 'JBSWY3DPEHPK3PXP' } }],
};

async function seed(harness: ConnectionHarness): Promise<void> {
  await harness.connection.writeBatch(batch([ann], { job: 'seed' }));
}

/** An upsert by job-2 at now2. */
const upsert = (values: Record<string, unknown>[], overrides: Parameters<typeof batch>[1] = {}) =>
  batch(values, { job: 'job-2', upsert: true, now: now2, ...overrides });

/** Upsert rules (DESIGN.md "Upsert") and idempotent batches (DESIGN.md "Execution"). */
export function describeUpsert(factory: ConnectionFactory): void {
  const h = useHarness(factory);

  describe('upsert', () => {
    it('updates only the mapped columns and stamps updated_at, keeping created_at', async () => {
      await seed(h());
      expect(await h().connection.writeBatch(upsert([{ email: 'ANN@x.io', given_name: 'Anne' }]))).toEqual(output({ updated: 1 }));
      expect(await tableRows(h())).toEqual([insertedUser({ ...ann, given_name: 'Anne', updated_at: now2 })]);
    });

    it('never changes the key, user_id, username, password_hash or created_at, silently', async () => {
      await seed(h());
      const fixed = { user_id: 'other', username: 'ann2', password_hash: '$2b$10$zzzzzzzzzzzzzzzzzzzzzz', created_at: '2020-01-01T00:00:00.000Z' };
      expect(await h().connection.writeBatch(upsert([{ email: 'Ann@x.io', nickname: 'A', ...fixed }]))).toEqual(output({ updated: 1 }));
      expect(await tableRows(h())).toEqual([insertedUser({ ...ann, nickname: 'A', updated_at: now2 })]);
      const onlyFixed = await h().connection.writeBatch(upsert([{ email: 'ann@x.io', ...fixed }], { job: 'job-3' }));
      expect(onlyFixed).toEqual(output({ unchanged: 1 }));
    });

    it('deep-merges *_metadata with metadata: merge (arrays replaced, null kept) and replaces other JSON', async () => {
      await seed(h());
      const change = {
        email: 'ann@x.io',
        user_metadata: { prefs: { theme: 'dark' }, tags: ['c'], keep: null, added: true },
        app_metadata: { org: { name: 'Acme' } },
        mfa_factors: [{ phone: { value: '+15550100' } }],
      };
      expect(await h().connection.writeBatch(upsert([change]))).toEqual(output({ updated: 1 }));
      expect(await tableRows(h())).toEqual([
        insertedUser({
          ...ann,
          user_metadata: { plan: 'free', prefs: { theme: 'dark', lang: 'en' }, tags: ['c'], keep: null, added: true },
          app_metadata: { roles: ['user'], org: { id: 1, name: 'Acme' } },
          mfa_factors: [{ phone: { value: '+15550100' } }],
          updated_at: now2,
        }),
      ]);
    });

    it('resets email_verified when it changes the email and the row does not send it (the import format); a row that sends it sets it', async () => {
      await seed(h());
      const [stored] = await tableRows(h());
      const byId = (values: Record<string, unknown>, job: string) => upsert([{ user_id: stored!['user_id'], ...values }], { key: ['user_id'], job });
      const verified = async () => (await tableRows(h())).map((u) => [u['email'], u['email_verified']]);
      expect(await h().connection.writeBatch(byId({ email: 'ann@x.io', nickname: 'A' }, 'job-2'))).toEqual(output({ updated: 1 }));
      expect(await verified()).toEqual([['ann@x.io', true]]);
      expect(await h().connection.writeBatch(byId({ email: 'Ann.New@x.io' }, 'job-3'))).toEqual(output({ updated: 1 }));
      expect(await verified()).toEqual([['ann.new@x.io', false]]);
      expect(await h().connection.writeBatch(byId({ email: 'ann.third@x.io', email_verified: true }, 'job-4'))).toEqual(output({ updated: 1 }));
      expect(await verified()).toEqual([['ann.third@x.io', true]]);
      expect(await h().connection.writeBatch(byId({ email: 'ann.third@x.io' }, 'job-5'))).toEqual(output({ unchanged: 1 }));
      expect(await verified()).toEqual([['ann.third@x.io', true]]);
    });

    it('refuses custom_password_hash for a user stored with a password_hash (the two cannot both be set); gives it to one without', async () => {
      await seed(h());
      await h().connection.writeBatch(batch([{ email: 'bo@x.io', given_name: 'Bo' }], { job: 'seed-2' }));
      const custom = { algorithm: 'md5', hash: { value: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' } };
      const written = await h().connection.writeBatch(
        upsert([
          { email: 'ann@x.io', custom_password_hash: custom, nickname: 'A' },
          { email: 'bo@x.io', custom_password_hash: custom },
        ]),
      );
      expect(written).toEqual(
        output({
          updated: 1,
          rejects: [
            {
              row: 1,
              errors: [{ code: 'FORMAT', path: 'custom_password_hash', message: expect.stringMatching(/^the stored user has a password_hash/) as string }],
            },
          ],
        }),
      );
      const users = await tableRows(h());
      expect(users.map((u) => [u['email'], u['nickname'], u['password_hash'] !== null, u['custom_password_hash']])).toEqual([
        ['ann@x.io', 'annie', true, null],
        ['bo@x.io', null, false, custom],
      ]);
    });

    it('overwrites metadata with metadata: replace', async () => {
      await seed(h());
      const replaced = { email: 'ann@x.io', user_metadata: { prefs: { theme: 'dark' } }, app_metadata: { org: { id: 2 } } };
      expect(await h().connection.writeBatch(upsert([replaced], { metadata: 'replace' }))).toEqual(output({ updated: 1 }));
      expect(await tableRows(h())).toEqual([insertedUser({ ...ann, ...replaced, updated_at: now2 })]);
    });

    it('counts a row that changes nothing as unchanged and leaves updated_at alone', async () => {
      await seed(h());
      const same = [
        {
          email: 'ANN@X.IO',
          given_name: 'Ann',
          email_verified: true,
          user_metadata: { keep: 1, tags: ['a', 'b'], prefs: { lang: 'en', theme: 'light' }, plan: 'free' },
        },
      ];
      expect(await h().connection.writeBatch(upsert(same))).toEqual(output({ unchanged: 1 }));
      const subset = [{ email: 'ann@x.io', user_metadata: { prefs: { theme: 'light' } }, app_metadata: {} }];
      expect(await h().connection.writeBatch(upsert(subset, { job: 'job-3' }))).toEqual(output({ unchanged: 1 }));
      expect(await tableRows(h())).toEqual([insertedUser(ann)]);
    });

    it('clears a column set to null and leaves absent columns alone', async () => {
      await seed(h());
      await h().connection.writeBatch(upsert([{ email: 'ann@x.io', nickname: null, given_name: undefined }]));
      expect(await tableRows(h())).toEqual([insertedUser({ ...ann, nickname: null, updated_at: now2 })]);
    });

    it('gives a new user false for an unsent email_verified/phone_verified, and leaves a stored user unchanged (the import format)', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', email_verified: true, phone_verified: true }]));
      const written = await h().connection.writeBatch(upsert([{ email: 'ann@x.io', nickname: 'A' }, { email: 'new@x.io' }]));
      expect(written).toEqual(output({ inserted: 1, updated: 1 }));
      const rows = await tableRows(h());
      expect(rows.map((r) => [r.email, r.email_verified, r.phone_verified])).toEqual([
        ['ann@x.io', true, true],
        ['new@x.io', false, false],
      ]);
    });

    it('inserts users the key does not match', async () => {
      await seed(h());
      expect(await h().connection.writeBatch(upsert([{ email: 'new@x.io' }, { email: 'ann@x.io', given_name: 'Ann' }]))).toEqual(
        output({ inserted: 1, unchanged: 1 }),
      );
      expect(await tableRows(h())).toEqual([insertedUser(ann), insertedUser({ email: 'new@x.io' }, now2)]);
    });
  });

  describe('idempotent batches', () => {
    it('replays a committed batch: same output, replayed, nothing written (no second merge)', async () => {
      await seed(h());
      const first = upsert([{ email: 'ann@x.io', user_metadata: { visits: { n: 1 } } }, { email: 'new@x.io' }, { email: 'Ann@x.io' }]);
      const out = await h().connection.writeBatch(first);
      expect(out).toEqual(output({ inserted: 1, updated: 1, rejects: [{ row: 3, errors: [expect.objectContaining({ code: 'DUPLICATE_IN_SOURCE' })] }] }));
      const after = await tableRows(h());
      expect(await h().connection.writeBatch(first)).toEqual({ ...out, replayed: true });
      const different = upsert([{ email: 'ann@x.io', user_metadata: { visits: { n: 2 } } }, { email: 'other@x.io' }], { now: '2026-01-01T00:00:00.000Z' });
      expect(await h().connection.writeBatch(different)).toEqual({ ...out, replayed: true });
      expect(await tableRows(h())).toEqual(after);
      await h().connection.finishJob('job-2');
      expect((await h().connection.writeBatch(first)).replayed).toBe(true);
    });

    it("finishes a job whose updated rows held U+0000 (in their marker's row changes), still replaying its batches", async () => {
      await h().connection.writeBatch(batch([{ email: 'nul@x.io', user_metadata: { note: 'a\u0000b' } }], { job: 'seed' }));
      const first = upsert([{ email: 'nul@x.io', given_name: 'N', user_metadata: { note: 'c\u0000d' } }]);
      expect(await h().connection.writeBatch(first)).toEqual(output({ updated: 1 }));
      // PostgreSQL's jsonb refuses \u0000: a cast of the marker there failed every finish of the job, and its resume.
      await h().connection.finishJob('job-2');
      expect(await h().connection.writeBatch(first)).toEqual({ ...output({ updated: 1 }), replayed: true });
      expect((await tableRows(h())).map((r) => [r.given_name, r.user_metadata])).toEqual([['N', { note: 'c\u0000d' }]]);
    });

    it('numbers batches per job', async () => {
      await h().connection.writeBatch(batch([{ email: 'a@x.io' }], { job: 'job-1' }));
      expect(await h().connection.writeBatch(batch([{ email: 'b@x.io' }], { job: 'job-2' }))).toEqual(output({ inserted: 1 }));
    });

    it('leaves the same table after a resumed job (replayed batches, then the rest) as after an uninterrupted one', async () => {
      const batches = [1, 2, 3].map((n) =>
        batch(
          [
            { email: `u${n}@x.io`, given_name: `U${n}` },
            { email: 'same@x.io', user_metadata: { [`b${n}`]: n } },
          ],
          { upsert: true, batch: n, firstRow: n * 10 },
        ),
      );
      const resumed = await factory();
      try {
        for (const input of batches) await h().connection.writeBatch(input);
        for (const input of [batches[0], batches[1], batches[0], batches[1], batches[2]]) if (input) await resumed.connection.writeBatch(input);
        expect(await tableRows(resumed)).toEqual(await tableRows(h()));
      } finally {
        await resumed.cleanup();
      }
      expect(await tableRows(h())).toContainEqual(insertedUser({ email: 'same@x.io', user_metadata: { b1: 1 } }, now1));
    });
  });
}
