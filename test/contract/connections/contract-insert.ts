import { describe, expect, it } from 'vitest';
import { generateUserId, usersTableColumns } from '../../../src/connections/users-table.js';
import { batch, insertedUser, now1, now2, output, tableRows, useHarness, type ConnectionFactory } from './contract-harness.js';

/** The built-in users table, inserts, and the store-side rejects of insert mode. */
export function describeInsert(factory: ConnectionFactory): void {
  const h = useHarness(factory);

  describe('built-in users table', () => {
    it('is created on first use and introspected with types, primary key and unique columns', async () => {
      const columns = await h().connection.columns();
      expect(columns.map((c) => [c.name, c.type])).toEqual(usersTableColumns.map((c) => [c.name, c.type]));
      expect(columns.filter((c) => c.primaryKey).map((c) => c.name)).toEqual(['user_id']);
      expect(columns.filter((c) => c.unique).map((c) => c.name)).toEqual(['user_id', 'email', 'username']);
      expect(columns.find((c) => c.name === 'user_id')).toMatchObject({ nullable: false });
      expect(columns.find((c) => c.name === 'given_name')).toMatchObject({ nullable: true, unique: false, primaryKey: false });
      expect(await h().connection.columns()).toEqual(columns);
      expect(await tableRows(h())).toEqual([]);
    });
  });

  describe('insert', () => {
    it('inserts users with a generated user_id, created_at/updated_at = now and email lower-cased', async () => {
      const rows = [
        { email: 'Ann@Example.COM', given_name: 'Ann', email_verified: true, blocked: false, logins_count: 3 },
        { email: 'bob@example.com', username: 'bob' },
      ];
      expect(await h().connection.writeBatch(batch(rows))).toEqual(output({ inserted: 2 }));
      expect(await tableRows(h())).toEqual([
        insertedUser({ email: 'ann@example.com', given_name: 'Ann', email_verified: true, blocked: false, logins_count: 3 }),
        insertedUser({ email: 'bob@example.com', username: 'bob' }),
      ]);
      expect((await tableRows(h())).map((r) => r.user_id)).toEqual([generateUserId('job-1', now1, 1), generateUserId('job-1', now1, 2)]);
    });

    it('keeps a given user_id, created_at and updated_at', async () => {
      const given = { email: 'ann@example.com', user_id: 'legacy|42', created_at: '2020-01-01T00:00:00.000Z', updated_at: '2021-01-01T00:00:00.000Z' };
      await h().connection.writeBatch(batch([given]));
      expect(await tableRows(h())).toEqual([insertedUser(given)]);
    });

    it('rejects DUPLICATED_USER when the key exists and upsert is false, and leaves the user alone', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@example.com', given_name: 'Ann' }]));
      const out = await h().connection.writeBatch(
        batch([{ email: 'ANN@example.com', given_name: 'Other' }, { email: 'cy@example.com' }], { job: 'job-2', now: now2 }),
      );
      expect(out).toEqual(
        output({
          inserted: 1,
          rejects: [{ row: 1, errors: [{ code: 'DUPLICATED_USER', path: 'email', message: 'a user with this email already exists' }] }],
        }),
      );
      expect(await tableRows(h())).toEqual([insertedUser({ email: 'ann@example.com', given_name: 'Ann' }), insertedUser({ email: 'cy@example.com' }, now2)]);
    });

    it('rejects a row without a key value as REQUIRED at the key column', async () => {
      const out = await h().connection.writeBatch(batch([{ given_name: 'x' }, { email: null }, { email: '' }]));
      const required = { code: 'REQUIRED', path: 'email' };
      expect(out.rejects).toEqual([1, 2, 3].map((row) => ({ row, errors: [expect.objectContaining(required)] })));
      expect(out.inserted).toBe(0);
      expect(await tableRows(h())).toEqual([]);
    });

    it('rejects unknown columns and values of the wrong type, and coerces text that fits', async () => {
      const rows = [
        { email: 'a@x.io', favourite_colour: 'red' },
        { email: 'b@x.io', logins_count: 'many' },
        { email: 'c@x.io', email_verified: 'maybe' },
        { email: 'd@x.io', logins_count: '7', email_verified: 'true' },
      ];
      const out = await h().connection.writeBatch(batch(rows));
      expect(out.rejects).toEqual([
        { row: 1, errors: [expect.objectContaining({ code: 'UNKNOWN_FIELD', path: 'favourite_colour' })] },
        { row: 2, errors: [expect.objectContaining({ code: 'INVALID_TYPE', path: 'logins_count' })] },
        { row: 3, errors: [expect.objectContaining({ code: 'INVALID_TYPE', path: 'email_verified' })] },
      ]);
      expect(await tableRows(h())).toEqual([insertedUser({ email: 'd@x.io', logins_count: 7, email_verified: true })]);
    });
  });

  describe('duplicates in the source', () => {
    it('rejects DUPLICATE_IN_SOURCE within a batch, comparing email case-insensitively; the first row wins', async () => {
      const rows = [{ email: 'ann@x.io', given_name: 'First' }, { email: 'bob@x.io' }, { email: 'ANN@x.io', given_name: 'Second' }];
      expect(await h().connection.writeBatch(batch(rows))).toEqual(
        output({ inserted: 2, rejects: [{ row: 3, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 1' }] }] }),
      );
      expect(await tableRows(h())).toEqual([insertedUser({ email: 'ann@x.io', given_name: 'First' }), insertedUser({ email: 'bob@x.io' })]);
    });

    it('rejects DUPLICATE_IN_SOURCE across batches of the same job, also when upserting', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'First' }], { upsert: true }));
      // A job's batches share its `now` (its start): that is part of how a generated user_id names the job.
      const out = await h().connection.writeBatch(batch([{ email: 'Ann@X.io', given_name: 'Second' }], { upsert: true, batch: 2, firstRow: 1001 }));
      expect(out).toEqual(output({ rejects: [{ row: 1001, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 1' }] }] }));
      expect(await tableRows(h())).toEqual([insertedUser({ email: 'ann@x.io', given_name: 'First' })]);
    });

    it('rejects DUPLICATE_IN_SOURCE across batches when the mapping gives user_id, inserting or upserting', async () => {
      for (const [job, upsert] of [
        ['job-i', false],
        ['job-u', true],
      ] as const) {
        await h().connection.writeBatch(batch([{ email: `${job}@x.io`, user_id: `given|${job}` }], { job, upsert }));
        const out = await h().connection.writeBatch(
          batch([{ email: `${job.toUpperCase()}@x.io`, user_id: `other|${job}` }], { job, upsert, batch: 2, firstRow: 1001 }),
        );
        expect(out).toEqual(output({ rejects: [{ row: 1001, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 1' }] }] }));
      }
    });

    it('rejects DUPLICATE_IN_SOURCE across batches when one row gives user_id and the other leaves it to Ferry, either way round', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', user_id: 'given|ann' }, { email: 'bob@x.io' }]));
      const out = await h().connection.writeBatch(
        batch([{ email: 'ANN@x.io' }, { email: 'Bob@x.io', user_id: 'given|bob' }, { email: 'cy@x.io' }], { batch: 2, firstRow: 11 }),
      );
      expect(out).toEqual(
        output({
          inserted: 1,
          rejects: [
            { row: 11, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 1' }] },
            { row: 12, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 2' }] },
          ],
        }),
      );
      // To another job, the same users were there before it: DUPLICATED_USER, whoever gives the id.
      const other = await h().connection.writeBatch(batch([{ email: 'cy@x.io' }, { email: 'bob@x.io', user_id: 'x|1' }], { job: 'job-2', now: now2 }));
      expect(other.rejects.map((r) => [r.row, r.errors[0]?.code])).toEqual([
        [1, 'DUPLICATED_USER'],
        [2, 'DUPLICATED_USER'],
      ]);
    });

    it('does not carry keys across jobs', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'First' }]));
      const upserted = await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'Second' }], { job: 'job-2', upsert: true, now: now2 }));
      expect(upserted).toEqual(output({ updated: 1 }));
      const inserted = await h().connection.writeBatch(batch([{ email: 'ann@x.io' }], { job: 'job-3' }));
      expect(inserted.rejects[0]?.errors[0]?.code).toBe('DUPLICATED_USER');
    });

    it('lets a rejected row leave its key free for a later row', async () => {
      await h().connection.writeBatch(batch([{ email: 'bob@x.io', username: 'bob' }]));
      const out = await h().connection.writeBatch(
        batch(
          [
            { email: 'cy@x.io', username: 'bob' },
            { email: 'cy@x.io', username: 'cy' },
          ],
          { batch: 2, firstRow: 2 },
        ),
      );
      expect(out.rejects).toEqual([{ row: 2, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'username' })] }]);
      expect(out.inserted).toBe(1);
    });

    it('keeps markers of batch ids past 2^31 (a chunk id is batch × 1024 + chunk)', async () => {
      const far = 3_000_000 * 1024 + 7;
      expect(await h().connection.writeBatch(batch([{ email: 'ann@x.io' }], { batch: far }))).toEqual(output({ inserted: 1 }));
      expect(await h().connection.writeBatch(batch([{ email: 'ann@x.io' }], { batch: far }))).toEqual(output({ inserted: 1, replayed: true }));
    });

    it('forgets the job keys on finishJob (idempotently); markers stay', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io' }]));
      await h().connection.finishJob('job-1');
      await h().connection.finishJob('job-1');
      await h().connection.finishJob('never-ran');
      const out = await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'Again' }], { batch: 2, upsert: true, now: now2 }));
      expect(out).toEqual(output({ updated: 1 }));
      expect(await h().connection.writeBatch(batch([{ email: 'ann@x.io' }]))).toEqual(output({ inserted: 1, replayed: true }));
    });
  });

  describe('unique conflicts', () => {
    it('rejects CONFLICT at username when another user has it, and writes the rest of the batch', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', username: 'ann' }]));
      const out = await h().connection.writeBatch(
        batch(
          [
            { email: 'bob@x.io', username: 'ann' },
            { email: 'cy@x.io', username: 'cy' },
          ],
          { job: 'job-2' },
        ),
      );
      expect(out).toEqual(output({ inserted: 1, rejects: [{ row: 1, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'username' })] }] }));
      expect((await tableRows(h())).map((r) => r.email)).toEqual(['ann@x.io', 'cy@x.io']);
    });

    it('stores a username lower-case, so one differing only in case is the same username (CONFLICT), not a second user', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', username: 'Ann.Lee' }]));
      const out = await h().connection.writeBatch(batch([{ email: 'bob@x.io', username: 'ANN.LEE' }], { job: 'job-2' }));
      expect(out.rejects).toEqual([{ row: 1, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'username' })] }]);
      expect((await tableRows(h())).map((r) => [r.email, r.username])).toEqual([['ann@x.io', 'ann.lee']]);
    });

    it('rejects CONFLICT at user_id when a new user brings a taken id', async () => {
      await h().connection.writeBatch(batch([{ email: 'ann@x.io', user_id: 'legacy|1' }]));
      const out = await h().connection.writeBatch(batch([{ email: 'dan@x.io', user_id: 'legacy|1' }], { job: 'job-2' }));
      expect(out.rejects).toEqual([{ row: 1, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'user_id' })] }]);
    });

    it('rejects CONFLICT when an upsert sets a unique column another user has', async () => {
      const byUsername = { key: ['username'] };
      await h().connection.writeBatch(
        batch(
          [
            { username: 'ann', email: 'ann@x.io' },
            { username: 'bob', email: 'bob@x.io' },
          ],
          byUsername,
        ),
      );
      const out = await h().connection.writeBatch(batch([{ username: 'bob', email: 'ann@x.io' }], { ...byUsername, job: 'job-2', upsert: true, now: now2 }));
      expect(out.rejects).toEqual([{ row: 1, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'email' })] }]);
      const bob = (await tableRows(h())).find((r) => r.username === 'bob');
      expect(bob).toMatchObject({ email: 'bob@x.io', user_id: generateUserId('job-1', now1, 2), updated_at: now1 });
    });
  });
}
