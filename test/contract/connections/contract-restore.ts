import { describe, expect, it } from 'vitest';
import type { RestoreEntry, RowChange } from '../../../src/connections/types.js';
import { batch, now2, output, useHarness, type ConnectionFactory, type ConnectionHarness } from './contract-harness.js';

const ann = {
  email: 'ann@x.io',
  username: 'ann',
  given_name: 'Ann',
  email_verified: true,
  logins_count: 3,
  last_login: '2024-05-01T10:00:00.000Z',
  user_metadata: { plan: 'free', prefs: { theme: 'light', lang: 'en' }, tags: ['a'] },
  app_metadata: { roles: ['user'] },
};
const cy = { email: 'cy@x.io', given_name: 'Cy' };

/** An upsert by job-2 at now2. */
const byJob2 = { job: 'job-2', upsert: true, now: now2 } as const;

/** What the backup keeps of each change, passed through JSON as backup.ndjson stores it. */
function entries(changes: RowChange[]): RestoreEntry[] {
  const kept = changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash }));
  return JSON.parse(JSON.stringify(kept)) as RestoreEntry[];
}

/** Every column of every row exactly as the database driver returns it, not normalized: a restore must give back the very values. */
async function storedRows(harness: ConnectionHarness): Promise<Record<string, unknown>[]> {
  return harness.query(`SELECT * FROM "${harness.connection.table}" ORDER BY "email"`);
}

/** One user as readPage gives it (plain values, NULL columns absent). */
async function readUser(harness: ConnectionHarness, email: string): Promise<Record<string, unknown> | undefined> {
  return (await harness.connection.readPage({ query: '*', after: null, limit: 100 })).find((r) => r['email'] === email);
}

/** Whether the table exists, asked of the store directly (columns() would create it). */
async function tableExists(harness: ConnectionHarness): Promise<boolean> {
  return harness.query(`SELECT 1 FROM "${harness.connection.table}" WHERE 1 = 0`).then(
    () => true,
    () => false,
  );
}

/** The backup (a batch's row changes), rollback (restoreBatch) and dry run (preview) of DESIGN.md "Operator tools". */
export function describeRestore(factory: ConnectionFactory): void {
  const h = useHarness(factory);
  const seed = () => h().connection.writeBatch(batch([ann, cy], { job: 'seed' }));

  describe('row changes', () => {
    it('records each inserted and updated row in input order: its key, whole previous row and after-hash', async () => {
      await seed();
      const before = await readUser(h(), 'ann@x.io');
      expect(before).toMatchObject({ given_name: 'Ann', user_metadata: ann.user_metadata });
      const rows = [
        { email: 'ANN@x.io', given_name: 'Anne' },
        { email: 'bob@x.io' },
        cy,
        { email: 'ann@x.io' },
        { email: 'dan@x.io', logins_count: 'many' },
        { email: 'eve@x.io' },
      ];
      const out = await h().connection.writeBatch(batch(rows, byJob2));
      const rejects = [
        { row: 4, errors: [expect.objectContaining({ code: 'DUPLICATE_IN_SOURCE' })] },
        { row: 5, errors: [expect.objectContaining({ code: 'INVALID_TYPE' })] },
      ];
      expect(out).toEqual(output({ inserted: 2, updated: 1, unchanged: 1, rejects }));
      expect(out.changes).toEqual([
        { row: 1, key: { email: 'ann@x.io' }, before, afterHash: expect.any(String) },
        { row: 2, key: { email: 'bob@x.io' }, before: null, afterHash: expect.any(String) },
        { row: 6, key: { email: 'eve@x.io' }, before: null, afterHash: expect.any(String) },
      ]);
      for (const change of out.changes) expect(change).not.toHaveProperty('after');
      const hashes = out.changes.map((c) => c.afterHash);
      expect(hashes.every((hash) => hash.length > 0)).toBe(true);
      expect(new Set(hashes).size).toBe(hashes.length);
    });

    it('adds the row as written (`after`) to each change with preview', async () => {
      await seed();
      const out = await h().connection.writeBatch(
        batch(
          [
            { email: 'ann@x.io', given_name: 'Anne' },
            { email: 'bob@x.io', given_name: 'Bob' },
          ],
          { ...byJob2, preview: true },
        ),
      );
      const written = [await readUser(h(), 'ann@x.io'), await readUser(h(), 'bob@x.io')];
      expect(written).toEqual([expect.objectContaining({ given_name: 'Anne', updated_at: now2 }), expect.objectContaining({ given_name: 'Bob' })]);
      expect(out.changes.map((c) => c.after)).toEqual(written);
    });

    it('returns the same changes when a batch is replayed, and none once its job is finished', async () => {
      await seed();
      const first = batch([{ email: 'ann@x.io', user_metadata: { plan: 'pro' } }, { email: 'bob@x.io' }], byJob2);
      const other = batch([{ email: 'cy@x.io', given_name: 'Cyrus' }], { ...byJob2, job: 'job-3' });
      const out = await h().connection.writeBatch(first);
      const otherOut = await h().connection.writeBatch(other);
      expect(out.changes).toHaveLength(2);
      const after = await storedRows(h());
      expect(await h().connection.writeBatch(first)).toEqual({ ...out, replayed: true });
      await h().connection.finishJob('job-2');
      expect(await h().connection.writeBatch(first)).toEqual({ ...out, changes: [], replayed: true });
      expect(await h().connection.writeBatch(other)).toEqual({ ...otherOut, replayed: true });
      expect(await storedRows(h())).toEqual(after);
    });
  });

  describe('restoreBatch', () => {
    it("puts the table back exactly: an updated row's previous image, an inserted row deleted; a repeated batch is replayed", async () => {
      await seed();
      const original = await storedRows(h());
      const rows = [
        { email: 'ann@x.io', given_name: 'Anne', user_metadata: { prefs: { theme: 'dark' }, tags: ['b'] } },
        { email: 'bob@x.io', nickname: 'b' },
        cy,
      ];
      const out = await h().connection.writeBatch(batch(rows, byJob2));
      expect(out).toEqual(output({ updated: 1, inserted: 1, unchanged: 1 }));
      expect(await storedRows(h())).not.toEqual(original);
      const rollback = { job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false };
      expect(await h().connection.restoreBatch(rollback)).toEqual({ restored: 1, deleted: 1, changed: [], replayed: false });
      expect(await storedRows(h())).toEqual(original);
      // The same rows written again (ann gets the very image the backup hashed): a repeated restore must not touch them.
      await h().connection.writeBatch(batch(rows, { ...byJob2, job: 'job-3' }));
      const rewritten = await storedRows(h());
      expect(await h().connection.restoreBatch(rollback)).toEqual({ restored: 1, deleted: 1, changed: [], replayed: true });
      expect(await storedRows(h())).toEqual(rewritten);
    });

    it('leaves rows changed or deleted since alone and reports them; force puts every row back', async () => {
      await h().connection.writeBatch(batch([ann, { email: 'bob@x.io', given_name: 'Bob' }], { job: 'seed' }));
      const original = await storedRows(h());
      const rows = [{ email: 'ann@x.io', given_name: 'Anne' }, { email: 'bob@x.io', given_name: 'Bobby' }, cy, { email: 'dan@x.io' }, { email: 'eve@x.io' }];
      const out = await h().connection.writeBatch(batch(rows, byJob2));
      const table = h().connection.table;
      await h().exec(`UPDATE "${table}" SET "nickname" = 'other' WHERE "email" = 'ann@x.io'`);
      await h().exec(`DELETE FROM "${table}" WHERE "email" = 'bob@x.io'`);
      await h().exec(`UPDATE "${table}" SET "given_name" = 'Cyrus' WHERE "email" = 'cy@x.io'`);
      await h().exec(`DELETE FROM "${table}" WHERE "email" = 'dan@x.io'`);
      const changedSince = await storedRows(h());
      const restored = await h().connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false });
      expect(restored).toEqual({
        restored: 0,
        deleted: 1,
        changed: [
          { row: 1, key: { email: 'ann@x.io' }, reason: 'changed' },
          { row: 2, key: { email: 'bob@x.io' }, reason: 'missing' },
          { row: 3, key: { email: 'cy@x.io' }, reason: 'changed' },
        ],
        replayed: false,
      });
      expect(await storedRows(h())).toEqual(changedSince.filter((r) => r['email'] !== 'eve@x.io'));
      const forced = await h().connection.restoreBatch({ job: 'rollback-2', batch: 1, entries: entries(out.changes), force: true });
      expect(forced).toEqual({ restored: 2, deleted: 1, changed: [], replayed: false });
      expect(await storedRows(h())).toEqual(original);
    });

    it('only reports the rows changed since with check: writes nothing and takes no marker', async () => {
      await seed();
      const out = await h().connection.writeBatch(
        batch([{ email: 'ann@x.io', given_name: 'Anne' }, { email: 'bob@x.io' }, { email: 'cy@x.io', given_name: 'Cyrus' }], byJob2),
      );
      await h().exec(`UPDATE "${h().connection.table}" SET "nickname" = 'other' WHERE "email" = 'cy@x.io'`);
      const changedSince = await storedRows(h());
      const input = { job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false };
      const changed = [{ row: 3, key: { email: 'cy@x.io' }, reason: 'changed' }];
      expect(await h().connection.restoreBatch({ ...input, check: true })).toMatchObject({ changed, replayed: false });
      expect(await storedRows(h())).toEqual(changedSince);
      expect(await h().connection.restoreBatch(input)).toEqual({ restored: 1, deleted: 1, changed, replayed: false });
      expect((await storedRows(h())).map((r) => [r['email'], r['given_name']])).toEqual([
        ['ann@x.io', 'Ann'],
        ['cy@x.io', 'Cyrus'],
      ]);
    });
  });

  describe('preview', () => {
    it('undoes everything written inside, the table created on first use and markers included, and returns what fn returns', async () => {
      const existed = await tableExists(h());
      const result = await h().connection.preview(async () => {
        const out = await h().connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'bob@x.io' }]));
        expect(out).toEqual(output({ inserted: 2 }));
        return { seen: out.inserted };
      });
      expect(result).toEqual({ seen: 2 });
      expect(await tableExists(h())).toBe(existed);
      if (existed) expect(await storedRows(h())).toEqual([]);
      // A job starts with columns() (once per job), which finds the table gone and creates it again.
      await h().connection.columns();
      expect(await h().connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'bob@x.io' }]))).toEqual(output({ inserted: 2 }));
    });

    it('counts a batch as a real write would, and a later batch sees the earlier ones', async () => {
      await seed();
      const original = await storedRows(h());
      const [first, second] = await h().connection.preview(async () => [
        await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'Anne' }, { email: 'bob@x.io' }], { ...byJob2, preview: true })),
        await h().connection.writeBatch(
          batch(
            [
              { email: 'bob@x.io', given_name: 'Bob' },
              { email: 'ann@x.io', given_name: 'Anne' },
            ],
            { ...byJob2, job: 'job-3' },
          ),
        ),
      ]);
      expect(first).toEqual(output({ updated: 1, inserted: 1 }));
      expect(first?.changes.map((c) => c.after?.['given_name'])).toEqual(['Anne', undefined]);
      expect(second).toEqual(output({ updated: 1, unchanged: 1 }));
      expect(await storedRows(h())).toEqual(original);
    });

    it('keeps nothing of an insert batch that hits a unique conflict, and counts it as a real write would', async () => {
      await seed();
      const original = await storedRows(h());
      const rows = [{ email: 'bob@x.io', username: 'ann' }, { email: 'dan@x.io' }, { email: 'eve@x.io' }];
      const out = await h().connection.preview(() => h().connection.writeBatch(batch(rows, { job: 'job-2', preview: true })));
      expect(out).toEqual(output({ inserted: 2, rejects: [{ row: 1, errors: [expect.objectContaining({ code: 'CONFLICT', path: 'username' })] }] }));
      expect(await storedRows(h())).toEqual(original);
    });

    it('runs batches started concurrently inside one preview', async () => {
      await seed();
      const original = await storedRows(h());
      const outs = await h().connection.preview(() =>
        Promise.all([
          h().connection.writeBatch(batch([{ email: 'bob@x.io' }, { email: 'dan@x.io' }], { ...byJob2, batch: 1 })),
          h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'Anne' }], { ...byJob2, batch: 2, firstRow: 3 })),
        ]),
      );
      expect(outs).toEqual([output({ inserted: 2 }), output({ updated: 1 })]);
      expect(await storedRows(h())).toEqual(original);
    });

    it('rethrows what fn throws and keeps nothing it wrote', async () => {
      await seed();
      const original = await storedRows(h());
      const boom = new Error('boom');
      const previewing = h().connection.preview(async () => {
        await h().connection.writeBatch(batch([{ email: 'ann@x.io', given_name: 'Anne' }, { email: 'bob@x.io' }], byJob2));
        throw boom;
      });
      await expect(previewing).rejects.toBe(boom);
      expect(await storedRows(h())).toEqual(original);
      expect(await h().connection.writeBatch(batch([{ email: 'bob@x.io' }], byJob2))).toEqual(output({ inserted: 1 }));
    });
  });
}
