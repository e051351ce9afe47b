import { afterAll, beforeAll } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { WritePath } from '../../../src/connections/postgres/write.js';
import { rawClient } from '../../helpers/postgres-raw.js';
import { describePostgres } from '../../helpers/describe-postgres.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { testConnection, type ConnectionHarness } from './connection-contract.js';

/**
 * The contract suite against a real PostgreSQL server started for this file, once per write path:
 * `set` (what ferry.yaml gets: a batch per statement, row by row only where a statement fails) and
 * `rows` (that fallback alone), so each is shown exact on its own. Each test gets its own schema,
 * the search_path of both the connection under test and the raw client, so the built-in table and
 * Ferry's bookkeeping are created afresh inside it.
 */
describePostgres('postgres connection contract', () => {
  let server: PostgresServer;
  let database: string;
  let schemas = 0;

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const harness =
    (path: WritePath) =>
    async (options: { table?: string } = {}): Promise<ConnectionHarness> => {
      const schema = `contract_${++schemas}`;
      const url = `${server.url(database)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const raw = await rawClient(url);
      await raw.query(`CREATE SCHEMA ${schema}`);
      const connection = await openPostgres({ driver: 'postgres', url, table: options.table ?? 'users', pool: 2 }, path);
      return {
        connection,
        exec: async (sql) => void (await raw.query(sql)),
        query: async (sql) => (await raw.query<Record<string, unknown>>(sql)).rows,
        cleanup: async () => {
          await connection.close();
          await raw.query(`DROP SCHEMA ${schema} CASCADE`);
          await raw.end();
        },
      };
    };

  testConnection('postgres', harness('set'));
  testConnection('postgres, row by row', harness('rows'));
});
