import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../src/connections/errors.js';
import { batch, now1, output, tableRows, type ConnectionFactory, type ConnectionHarness } from './contract-harness.js';

/** Portable DDL (SQLite and PostgreSQL): a composite primary key, one unique column, a CHECK and a NOT NULL default. */
const membersDdl = `CREATE TABLE members (
  tenant TEXT NOT NULL,
  email TEXT NOT NULL,
  score INTEGER CHECK (score >= 0),
  ratio REAL,
  active BOOLEAN,
  profile JSON,
  joined_at TIMESTAMP,
  code TEXT UNIQUE,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant, email)
)`;

const key = ['tenant', 'email'];

function member(values: Record<string, unknown>): Record<string, unknown> {
  return { tenant: null, email: null, score: null, ratio: null, active: null, profile: null, joined_at: null, code: null, note: '', ...values };
}

/** Any table can be a target: Ferry reads its columns and writes only what the table has. */
export function describeCustomTable(factory: ConnectionFactory): void {
  async function withMembers(test: (h: ConnectionHarness) => Promise<void>): Promise<void> {
    const harness = await factory({ table: 'members' });
    try {
      await harness.exec(membersDdl);
      await test(harness);
    } finally {
      await harness.cleanup();
    }
  }
  const rows = (h: ConnectionHarness) => tableRows(h, '"tenant", "email"');

  describe('custom table', () => {
    it('introspects a table it did not create, without altering it', () =>
      withMembers(async (h) => {
        const columns = await h.connection.columns();
        expect(columns.map(({ name, type, nullable, primaryKey, unique }) => ({ name, type, nullable, primaryKey, unique }))).toEqual([
          { name: 'tenant', type: 'text', nullable: false, primaryKey: true, unique: false },
          { name: 'email', type: 'text', nullable: false, primaryKey: true, unique: false },
          { name: 'score', type: 'integer', nullable: true, primaryKey: false, unique: false },
          { name: 'ratio', type: 'real', nullable: true, primaryKey: false, unique: false },
          { name: 'active', type: 'boolean', nullable: true, primaryKey: false, unique: false },
          { name: 'profile', type: 'json', nullable: true, primaryKey: false, unique: false },
          { name: 'joined_at', type: 'timestamp', nullable: true, primaryKey: false, unique: false },
          { name: 'code', type: 'text', nullable: true, primaryKey: false, unique: true },
          { name: 'note', type: 'text', nullable: false, primaryKey: false, unique: false },
        ]);
        expect(await rows(h)).toEqual([]);
      }));

    it('writes and upserts by a composite key, email compared case-insensitively and stored as given', () =>
      withMembers(async (h) => {
        const first = [
          { tenant: 'acme', email: 'Ann@x.io', score: 1, ratio: 0.5, active: true, profile: { a: 1 }, joined_at: now1, code: 'A1' },
          { tenant: 'globex', email: 'ann@x.io', score: '2', active: 'false', code: 'G1' },
          { tenant: 'acme', email: 'ANN@x.io' },
        ];
        const out = await h.connection.writeBatch(batch(first, { key }));
        expect(out).toEqual(
          output({ inserted: 2, rejects: [{ row: 3, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'tenant', message: 'same key as row 1' }] }] }),
        );
        const upserted = await h.connection.writeBatch(
          batch([{ tenant: 'acme', email: 'ann@X.IO', score: 5, profile: { b: 2 } }], { key, job: 'job-2', upsert: true }),
        );
        expect(upserted).toEqual(output({ updated: 1 }));
        expect(await rows(h)).toEqual([
          member({ tenant: 'acme', email: 'Ann@x.io', score: 5, ratio: 0.5, active: true, profile: { b: 2 }, joined_at: now1, code: 'A1' }),
          member({ tenant: 'globex', email: 'ann@x.io', score: 2, active: false, code: 'G1' }),
        ]);
        const duplicated = await h.connection.writeBatch(batch([{ tenant: 'acme', email: 'ann@x.io' }], { key, job: 'job-3' }));
        expect(duplicated.rejects).toEqual([
          { row: 1, errors: [{ code: 'DUPLICATED_USER', path: 'tenant', message: 'a user with this tenant and email already exists' }] },
        ]);
      }));

    it('turns constraint failures into rejects of the row at fault', () =>
      withMembers(async (h) => {
        const values = [
          { tenant: 't', email: '1@x.io', note: null },
          { tenant: 't', email: '2@x.io', score: 'abc' },
          { tenant: 't', email: '3@x.io', score: -1 },
          { tenant: 't', email: '4@x.io', code: 'A1' },
          { tenant: 't', email: '5@x.io', code: 'A1' },
          { tenant: 't', email: null },
        ];
        const out = await h.connection.writeBatch(batch(values, { key }));
        const reject = (row: number, code: string, path: string) => ({ row, errors: [expect.objectContaining({ code, path })] });
        expect(out).toEqual(
          output({
            inserted: 1,
            rejects: [
              reject(1, 'REQUIRED', 'note'),
              reject(2, 'INVALID_TYPE', 'score'),
              reject(3, 'INVALID_TYPE', 'score'),
              reject(5, 'CONFLICT', 'code'),
              reject(6, 'REQUIRED', 'email'),
            ],
          }),
        );
        expect(await rows(h)).toEqual([member({ tenant: 't', email: '4@x.io', code: 'A1' })]);
      }));

    it('fails the whole batch, not retryable, when a key column does not exist', () =>
      withMembers(async (h) => {
        const bad = batch([{ tenant: 't', email: 'a@x.io' }], { key: ['tenant', 'mail'] });
        const error: unknown = await h.connection.writeBatch(bad).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(new RegExp(`^\\[connection:${h.connection.driver}\\] .*mail`));
        expect(isRetryable(error)).toBe(false);
        expect(await h.connection.writeBatch({ ...bad, key })).toEqual(output({ inserted: 1 }));
      }));

    it("keeps a custom table's email_verified and custom_password_hash as the rows give them: the users table's upsert rules are not its own", async () => {
      const harness = await factory({ table: 'contacts' });
      try {
        await harness.exec('CREATE TABLE contacts (id TEXT PRIMARY KEY, email TEXT, email_verified BOOLEAN, password_hash TEXT, custom_password_hash JSON)');
        const hash = { algorithm: 'md5', hash: { value: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' } };
        await harness.connection.writeBatch(batch([{ id: 'c1', email: 'old@x.io', email_verified: true, password_hash: 'kept' }], { key: ['id'] }));
        const upserted = await harness.connection.writeBatch(
          batch([{ id: 'c1', email: 'new@x.io', custom_password_hash: hash }], { key: ['id'], job: 'job-2', upsert: true }),
        );
        expect(upserted).toEqual(output({ updated: 1 }));
        expect(await tableRows(harness, '"id"')).toEqual([
          { id: 'c1', email: 'new@x.io', email_verified: true, password_hash: 'kept', custom_password_hash: hash },
        ]);
      } finally {
        await harness.cleanup();
      }
    });
  });
}
