import { expect, it } from 'vitest';
import type { RestoreEntry, RowChange } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A rollback over a key that two rows hold now (another writer added one since, on a table whose
 * key is not unique): the row the job wrote cannot be told from the other, so the rows are
 * reported changed since, and --force fails the batch instead of putting back or deleting
 * whichever row came first — possibly the other writer's.
 */
describePostgres('postgres rollback of a key two rows hold', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  function entries(changes: RowChange[]): RestoreEntry[] {
    return JSON.parse(JSON.stringify(changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
  }

  async function twoRowsPerKey() {
    // The other writer's rows come first in the table (ctid order): they are what a lookup finds first.
    await db.raw.query("CREATE TABLE t (email text, n int); INSERT INTO t VALUES ('b', 5)");
    const connection = await db.connect('t');
    await connection.columns();
    const out = await connection.writeBatch(
      batch(
        [
          { email: 'a', n: 1 },
          { email: 'b', n: 6 },
        ],
        { upsert: true },
      ),
    );
    expect(out).toMatchObject({ inserted: 1, updated: 1 });
    // Each job row moved past the other writer's, which takes the lower ctid.
    await db.raw.query("INSERT INTO t VALUES ('a', 2), ('b', 7); UPDATE t SET n = n WHERE n IN (1, 6)");
    return { connection, backup: entries(out.changes) };
  }
  const stored = async () => (await db.raw.query('SELECT email, n FROM t ORDER BY email, n')).rows;
  const untouched = [
    { email: 'a', n: 1 },
    { email: 'a', n: 2 },
    { email: 'b', n: 6 },
    { email: 'b', n: 7 },
  ];

  it('reports both rows changed since, and touches neither', async () => {
    const { connection, backup } = await twoRowsPerKey();
    const changed = [
      { row: 1, key: { email: 'a' }, reason: 'changed' },
      { row: 2, key: { email: 'b' }, reason: 'changed' },
    ];
    expect(await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false })).toEqual({
      restored: 0,
      deleted: 0,
      changed,
      replayed: false,
    });
    expect(await stored()).toEqual(untouched);
  });

  it('with --force fails the batch naming the row, deleting or overwriting no row of the other writer', async () => {
    const { connection, backup } = await twoRowsPerKey();
    await expect(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: true })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/row 1 email="a": public\.t holds more than one row with this key now/) as unknown,
    });
    expect(await stored()).toEqual(untouched);
  });
});
