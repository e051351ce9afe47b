import type { PostgresOptions } from '../spec/config-schema.js';
import type { Connection, ConnectionContext, ConnectionDefinition } from './types.js';

/**
 * A PostgreSQL user store: a pool of `pool` sessions on `url`, the target `table` (optionally
 * `schema.table`), and Ferry's bookkeeping (`ferry_batches`, `ferry_job_keys`) in the table's
 * schema, so a batch's rows and its marker commit in one transaction. Sessions run in UTC.
 *
 * The driver itself (postgres/open.ts, with `pg`) loads on first open: a project without a
 * PostgreSQL connection does not carry pg's 15 MB in every process.
 */
export const postgresConnection = {
  name: 'postgres',
  open: async (options: PostgresOptions, _ctx: ConnectionContext): Promise<Connection> => (await import('./postgres/open.js')).openPostgres(options),
  // A batch here mostly waits on the server: 4 in flight on the main thread overlap those waits
  // better than 2 threads running one each (workload 5 at 200k: 0.83× on threads).
  batchThreads: () => 'asked',
} satisfies ConnectionDefinition<PostgresOptions>;
