import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { openPostgres } from '../../src/connections/postgres/open.js';
import type { Connection } from '../../src/connections/types.js';
import { rawClient } from './postgres-raw.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres-server.js';

/**
 * `describe` when PostgreSQL is available. Otherwise the suite is skipped with the reason in its
 * title and on stderr — except in CI (`$CI` set), where a missing server fails the run instead.
 */
export function describePostgres(name: string, suite: () => void): void {
  const availability = postgresAvailable();
  if (availability.ok) {
    describe(name, suite);
  } else if (process.env['CI']) {
    describe(name, () =>
      it('needs a PostgreSQL server', () => {
        throw new Error(`CI must run the PostgreSQL tests: ${availability.reason}`);
      }),
    );
  } else {
    process.stderr.write(`skipping "${name}": ${availability.reason}\n`);
    describe.skip(`${name} (skipped: ${availability.reason})`, suite);
  }
}

/**
 * One server for the enclosing suite (call it inside `describePostgres`), stopped after it. With
 * `passwordEnv`, the server's password is in that environment variable while the suite runs, so
 * a ferry.yaml can reach it as `${VAR}` (see `usersConnectionYaml`) and tests can check it is
 * never printed.
 */
export function usePostgresServer(options: { passwordEnv?: string } = {}): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    if (options.passwordEnv) process.env[options.passwordEnv] = server.password;
  });
  afterAll(async () => {
    if (options.passwordEnv) delete process.env[options.passwordEnv];
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the PostgreSQL server is not started yet (use it inside a test or hook)');
    return server;
  };
}

/** A ferry.yaml whose `users` connection is `database` on `server`, its password interpolated from `passwordEnv`. */
export function usersConnectionYaml(server: PostgresServer, database: string, passwordEnv: string): string {
  const url = `postgres://${server.user}:\${${passwordEnv}}@127.0.0.1:${server.port}/${database}`;
  return `connections:\n  users: { driver: postgres, url: "${url}", table: users, pool: 4 }\n`;
}

/** A database of the suite's server for tests that open connections themselves (see `usePostgresDatabase`). */
export interface PostgresDatabase {
  url: string;
  /** A raw client for fixtures and assertions, new for each test (a test may replace it, e.g. after a restart). */
  raw: pg.Client;
  /** Opens a connection on the database, closed after the test. */
  connect(table: string, pool?: number): Promise<Connection>;
}

/**
 * One database for the suite, reset before each test by `reset` (SQL run on a fresh raw client);
 * the connections a test opened and its raw client are closed after it.
 */
export function usePostgresDatabase(server: () => PostgresServer, reset: string): PostgresDatabase {
  const open: Connection[] = [];
  const db = {
    url: '',
    raw: undefined as unknown as pg.Client,
    async connect(table: string, pool = 2): Promise<Connection> {
      const connection = await openPostgres({ driver: 'postgres', url: db.url, table, pool });
      open.push(connection);
      return connection;
    },
  };
  beforeAll(async () => {
    db.url = server().url(await server().createDatabase());
  });
  beforeEach(async () => {
    db.raw = await rawClient(db.url);
    await db.raw.query(reset);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await db.raw.end().catch(() => undefined);
  });
  return db;
}
