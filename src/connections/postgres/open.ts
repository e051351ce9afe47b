import { withoutChanges } from '../batch-marker.js';
import pg from 'pg';
import { QueryError } from '../../query/query-error.js';
import type { PostgresOptions } from '../../spec/config-schema.js';
import { durationMs } from '../../plan/job-plan.js';
import { maskUrl } from '../../spec/secrets.js';
import { createSessions, type PgSessions } from './sessions.js';
import { toConnectionError, type ServerWait } from './errors.js';
import { ConnectionError } from '../errors.js';
import { createPageReader } from './read.js';
import { jobHash } from './rows.js';
import { loadShape } from './schema.js';
import { createBatchWriter, type PgBatchWriter, type WritePath } from './write.js';
import type { Connection, TableUse } from '../types.js';
import { restoreContext, writeContext, type GeneratedColumnNames } from '../table-shape.js';
import { urlMistake } from './url.js';

/** The component errors name: the driver's name in ferry.yaml. */
const postgresName = 'postgres';

/**
 * Opens the pool and checks the server answers. `path` picks how batches are written (see
 * postgres/write.ts): ferry.yaml always gets `set`; tests and the benchmark also run `rows`.
 */
export async function openPostgres(options: PostgresOptions, path: WritePath = 'set'): Promise<Connection> {
  const server: ServerWait = {
    url: maskUrl(options.url),
    queryTimeoutMs: durationMs(options.query_timeout ?? defaultQueryTimeout),
    connectTimeoutMs: durationMs(options.connect_timeout ?? defaultConnectTimeout),
  };
  const mistake = urlMistake(options.url);
  if (mistake !== undefined) throw new ConnectionError(`[connection:${postgresName}] ${mistake}`, { retryable: false });
  const pool = new pg.Pool({
    ...sessionSettings(options.url, server.queryTimeoutMs),
    max: options.pool,
    application_name: 'ferry',
    connectionTimeoutMillis: server.connectTimeoutMs,
    // For a server that does not answer at all: pg fails the statement but leaves the session
    // waiting, so a failed session is discarded (sessions.ts). Later than the server's own cancel,
    // so a live server's answer (SQLSTATE 57014) arrives first and the session stays usable.
    query_timeout: server.queryTimeoutMs + cancelGraceMs,
    // A peer gone without a word (a dropped network path) is found by the kernel's probes, not after hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle session the server dropped: the pool discards it and the next checkout connects anew.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toConnectionError(err, postgresName, `cannot connect to ${server.url}`, server);
  }
  return createConnection(pool, options.table, path, server);
}

/**
 * Long enough for a legitimate slow statement (an export's planning scan sorting millions of rows,
 * dropping a large job's keys, a wait on another transaction's locks), short enough that a stalled
 * server fails the job within its retries rather than never.
 */
const defaultQueryTimeout = '5m';
const cancelGraceMs = 2_000;
const defaultConnectTimeout = '30s';

function createConnection(pool: pg.Pool, table: string, path: WritePath, server: ServerWait): Connection & GeneratedColumnNames {
  const guard = <T>(fn: () => Promise<T>, context: string) => guarded(fn, context, server);
  const sessions = createSessions(pool);
  let writer: Promise<PgBatchWriter> | undefined;
  // Re-read on every columns() call (once per job), so a table altered between jobs is seen.
  const reload = (use?: TableUse): Promise<PgBatchWriter> => {
    const loading = loadWriter(sessions, table, path, use);
    writer = loading;
    loading.catch(() => {
      if (writer === loading) writer = undefined;
    });
    return loading;
  };
  const current = () => writer ?? reload();
  const reader = createPageReader(pool, async () => (await current()).shape);
  let closed = false;
  return {
    driver: postgresName,
    table,
    columns: (use) => guard(async () => (await reload(use)).shape.columns.map((c) => ({ ...c })), `reading the columns of table ${table}`),
    generatedColumns: async () => {
      const shape = writer === undefined ? undefined : (await writer).shape;
      return shape === undefined ? [] : [...shape.computed].map((p) => shape.columns[p]!.name);
    },
    identityColumns: async () => {
      const shape = writer === undefined ? undefined : (await writer).shape;
      return shape === undefined ? [] : [...shape.identityAlways].map((p) => shape.columns[p]!.name);
    },
    writeBatch: (input) => guard(async () => (await current()).write(input), writeContext(input)),
    planPages: (input) => guard(() => reader.planPages(input), `planning the pages of table ${table}`),
    readPage: (input) => guard(() => reader.readPage(input), `reading a page of table ${table}`),
    restoreBatch: (input) => guard(async () => (await current()).restore(input), restoreContext(input)),
    preview: async (fn) => {
      let started = false;
      try {
        return await sessions.preview(() => {
          started = true;
          return fn();
        });
      } catch (err) {
        // What fn throws passes as is; only a failure to open the preview is this connection's.
        throw started ? err : toConnectionError(err, postgresName, 'starting the dry run', server);
      } finally {
        // A shape loaded inside the preview may describe a table its rollback dropped.
        writer = undefined;
      }
    },
    finishJob: (job, writtenBefore = false) => guard(() => finishJob(sessions, current, job, writtenBefore), `finishing job ${job}`),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function loadWriter(sessions: PgSessions, table: string, path: WritePath, use?: TableUse): Promise<PgBatchWriter> {
  return createBatchWriter(sessions, await sessions.use((client) => loadShape(client, table, use)), path);
}

/**
 * Drops the job's keys and the row changes its markers kept; both idempotent. First, as before each
 * batch, the rows the job wrote must still be in the table: a job resumed with every batch done
 * writes none, and would otherwise succeed over a table that lost them.
 */
async function finishJob(sessions: PgSessions, current: () => Promise<PgBatchWriter>, job: string, writtenBefore: boolean): Promise<void> {
  const writer = await current();
  const { sql } = writer;
  await sessions.use(async (client) => {
    await writer.refuseLostRows(client, job, writtenBefore);
    await client.query({ ...sql.finish, values: [jobHash(job)] });
    await client.query({ ...sql.stripChanges, values: [job] });
    const held = await client.query<[string, string]>({ ...sql.markersWithNul, values: [job], rowMode: 'array' });
    for (const [batch, output] of held.rows) await client.query({ ...sql.markerSet, values: [job, batch, withoutChanges(output)] });
  });
}

/**
 * Sessions in UTC, so text without an offset means the same instant wherever Ferry runs; dates
 * and intervals written the ISO and postgres way whatever the database sets (`SQL, DMY` exported
 * 2024-01-02 as 02/01/2024, which decode.ts does not read as an instant); floats with every digit
 * (a negative extra_float_digits rounds them, in exports and in the backups rollbacks write back); and a
 * `statement_timeout` of the connection's query_timeout, so the server cancels a statement that
 * runs longer (a lock wait, a long scan) and it stops there with its locks, instead of running on
 * after Ferry gave up on it. Startup parameters cost no round trip; pg lets an `options=` in the
 * URL replace the pool's, so one there gets the settings appended.
 */
function sessionSettings(url: string, statementTimeoutMs: number): { connectionString: string; options?: string } {
  const settings = `-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c statement_timeout=${statementTimeoutMs}`;
  if (!/[?&]options=/.test(url)) return { connectionString: url, options: settings };
  try {
    const parsed = new URL(url);
    parsed.searchParams.set('options', `${parsed.searchParams.get('options') ?? ''} ${settings}`.trim());
    return { connectionString: parsed.toString() };
  } catch {
    return { connectionString: url };
  }
}

/**
 * Runs `fn`, turning any failure into a ConnectionError that names the component and what was being
 * done. A QueryError (an export's query or sort) passes as is: it is bad input that carries its offset.
 */
async function guarded<T>(fn: () => Promise<T>, context: string, server: ServerWait): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QueryError) throw err;
    throw toConnectionError(err, postgresName, context, server, Date.now() - started);
  }
}
