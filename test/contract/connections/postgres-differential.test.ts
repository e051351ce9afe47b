import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { WritePath } from '../../../src/connections/postgres/write.js';
import { sqliteConnection } from '../../../src/connections/sqlite.js';
import type { WriteBatchInput } from '../../../src/connections/types.js';
import { rawClient } from '../../helpers/postgres-raw.js';
import { describePostgres } from '../../helpers/describe-postgres.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { tableRows, type ConnectionHarness } from './contract-harness.js';

/**
 * SQLite is the reference: random jobs — duplicate keys in and across batches, unique conflicts on
 * username and user_id, missing keys, values of the wrong type, unicode, NULLs, JSON merged and
 * replaced, replayed batches — go to SQLite and to PostgreSQL (both write paths), and every batch
 * output and the final table must be identical.
 */
describePostgres('postgres matches sqlite on random jobs', () => {
  let server: PostgresServer;
  let database: string;
  let dir: string;
  let stores = 0;

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
    dir = await mkdtemp(join(tmpdir(), 'ferry-differential-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function sqliteStore(): Promise<ConnectionHarness> {
    const path = join(dir, `store-${++stores}.db`);
    const connection = await sqliteConnection.open({ driver: 'sqlite', path, table: 'users' }, { baseDir: dir });
    const raw = new Database(path);
    return {
      connection,
      exec: async (sql) => void raw.exec(sql),
      query: async (sql) => raw.prepare<[], Record<string, unknown>>(sql).all(),
      cleanup: async () => void raw.close(),
    };
  }

  async function postgresStore(path: WritePath): Promise<ConnectionHarness> {
    const schema = `differential_${++stores}`;
    const url = `${server.url(database)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const raw = await rawClient(url);
    await raw.query(`CREATE SCHEMA ${schema}`);
    const connection = await openPostgres({ driver: 'postgres', url, table: 'users', pool: 2 }, path);
    return {
      connection,
      exec: async (sql) => void (await raw.query(sql)),
      query: async (sql) => (await raw.query<Record<string, unknown>>(sql)).rows,
      cleanup: async () => raw.end(),
    };
  }

  it.each(Array.from({ length: 24 }, (_, i) => i + 1))('seed %i', async (seed) => {
    const stores = [await sqliteStore(), await postgresStore('set'), await postgresStore('rows')];
    try {
      for (const step of randomJobs(seed)) {
        const outputs = [];
        for (const store of stores) {
          if (step === 'finish') await store.connection.finishJob('job-1');
          // The backups agree but for their hashes, each the driver's own.
          else {
            const output = await store.connection.writeBatch(step);
            outputs.push({ ...output, changes: output.changes.map(({ afterHash: _hash, ...change }) => change) });
          }
        }
        for (const output of outputs.slice(1)) expect(output).toEqual(outputs[0]);
      }
      const tables = await Promise.all(stores.map((store) => tableRows(store, '"user_id"')));
      expect(tables[1]).toEqual(tables[0]);
      expect(tables[2]).toEqual(tables[0]);
    } finally {
      for (const store of stores) {
        await store.connection.close();
        await store.cleanup();
      }
    }
  });
});

/** A few jobs of a few batches over small value pools, so keys and unique values collide often. */
function randomJobs(seed: number): (WriteBatchInput | 'finish')[] {
  const random = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const steps: (WriteBatchInput | 'finish')[] = [];
  for (let job = 1; job <= 3; job++) {
    const upsert = job > 1 && random() < 0.8;
    const key = random() < 0.8 ? ['email'] : ['username'];
    const metadata = pick(['merge', 'replace'] as const);
    const done: WriteBatchInput[] = [];
    for (let batch = 1; batch <= 4; batch++) {
      const rows = Array.from({ length: 1 + Math.floor(random() * 25) }, (_, i) => ({ row: batch * 100 + i, values: randomUser(random, pick) }));
      const input: WriteBatchInput = { job: `job-${job}`, batch, rows, key, upsert, metadata, now: `2025-0${job}-01T00:00:00.000Z` };
      steps.push(input);
      done.push(input);
      if (random() < 0.3) steps.push(pick(done));
    }
    if (job === 1) steps.push('finish');
  }
  return steps;
}

function randomUser(random: () => number, pick: <T>(values: readonly T[]) => T): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  const maybe = (p: number, field: string, value: () => unknown) => {
    if (random() < p) user[field] = value();
  };
  maybe(0.95, 'email', () =>
    pick(['ann@x.io', 'ANN@x.io', 'bob@x.io', 'Bob@X.io', 'cy@x.io', 'élodie@exämple.org', 'ÉLODIE@exämple.org', 'dan@x.io', null, '']),
  );
  maybe(0.5, 'username', () => pick(['ann', 'bob', 'cy', 'dan', 'eve', null]));
  maybe(0.1, 'user_id', () => pick(['legacy|1', 'legacy|2', null]));
  maybe(0.6, 'given_name', () => pick(['Ann', 'Bob', '李小龍 🐉', 'Ñúñez', null, undefined]));
  maybe(0.4, 'email_verified', () => pick([true, false, 'true', '0', 'maybe', null]));
  maybe(0.3, 'logins_count', () => pick([1, 7, '12', 'many', 2 ** 40, null]));
  maybe(0.1, 'favourite_colour', () => 'red');
  maybe(0.5, 'user_metadata', () =>
    pick([{ plan: 'pro' }, { plan: 'free', prefs: { theme: 'dark' } }, { prefs: { lang: 'en' }, tags: ['a'] }, { nul: 'a\u0000b' }, null, 5]),
  );
  maybe(0.3, 'app_metadata', () => pick([{ roles: ['admin'] }, { org: { id: 1 } }, {}, null]));
  maybe(0.2, 'last_login', () => pick(['2024-05-06T07:08:09.000Z', null]));
  return user;
}

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
