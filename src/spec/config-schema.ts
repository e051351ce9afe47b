import { z } from 'zod';
import { DURATION, JOB_AGE, JOB_AGE_EXPECTED, ageMs, durationMs } from './duration.js';
import { isSenderAddress, SENDER_ADDRESS_EXPECTED } from './sender-address.js';

/** `ferry.yaml`: engine, state dir, connections, notification transport. Strict like pipelines. */

export const sqliteOptionsSchema = z
  .strictObject({
    driver: z.literal('sqlite').describe('SQLite'),
    path: z.string().min(1).describe('the database file, relative to ferry.yaml, e.g. .ferry/users.db; created when missing'),
    table: z
      .string()
      .min(1)
      .default('users')
      .describe('the table; the built-in users table is created when missing (docs/users-table.md), any other table is introspected'),
  })
  .describe('a SQLite file');

/** A wait on the server: `2s`, `5m`. */
/**
 * A wait on a database server: at least a second (0 would turn the limit off), at most a day
 * (Node's timers overflow past 24.8 days and would fire at once).
 */
const serverWait = z
  .string()
  .regex(DURATION, { error: 'expected a duration such as 30s, 5m' })
  .refine((text) => durationMs(text) >= 1000 && durationMs(text) <= 86_400_000, { error: 'expected a duration from 1s to 24h, such as 30s or 5m' });

export const postgresOptionsSchema = z
  .strictObject({
    driver: z.literal('postgres').describe('PostgreSQL'),
    url: z.string().min(1).describe('connection URL, its password from the environment, e.g. "postgres://ferry:${PG_PASSWORD}@db:5432/crm"; masked in output'),
    table: z
      .string()
      .min(1)
      .default('users')
      .describe('the table, optionally schema-qualified (crm.app_users); the built-in users table is created when missing, any other table is introspected'),
    pool: z.number().int().min(1).max(100).default(4).describe('sessions per process; match batch.parallelism'),
    query_timeout: serverWait
      .optional()
      .describe(
        'how long a statement may run (default 5m): the server cancels one that runs longer (its statement_timeout), and a server that does not answer 2 s after that has its session closed; either way the step is retried, so a lock wait or a stalled server fails the job instead of hanging it',
      ),
    connect_timeout: serverWait.optional().describe('how long opening a session (or waiting for a free one) may take (default 30s)'),
  })
  .describe('a PostgreSQL table');

export const connectionOptionsSchema = z
  .discriminatedUnion('driver', [sqliteOptionsSchema, postgresOptionsSchema], {
    error: (issue) => (issue.code === 'invalid_union' ? 'expected driver "sqlite" or "postgres"' : undefined),
  })
  .describe('a user store: driver sqlite or postgres');

export const configSchema = z.strictObject({
  engine: z
    .enum(['embedded', 'temporal'])
    .default('embedded')
    .describe('where jobs run: embedded (inside the ferry process, journaled in state_dir) or temporal (on `ferry worker`s); ferry run --engine overrides it'),
  temporal: z
    .strictObject({
      address: z.string().default('localhost:7233').describe('host:port of the Temporal frontend; $TEMPORAL_ADDRESS overrides it'),
      namespace: z.string().default('default').describe('the Temporal namespace'),
      task_queue: z.string().default('ferry').describe('the task queue the workers poll and the jobs are started on'),
      heartbeat_timeout: z
        .string()
        .regex(DURATION, { error: 'expected a duration such as 10s, 2m' })
        .optional()
        .describe('how long a batch may go without a heartbeat before its worker counts as dead and the batch is retried on another (default 2m)'),
      tls: z
        .union([
          z.boolean(),
          z.strictObject({
            ca: z
              .string()
              .min(1)
              .optional()
              .describe("the CA certificate (PEM file, relative to ferry.yaml) the server's certificate is checked against; default: the system's"),
            cert: z.string().min(1).optional().describe('a client certificate (PEM file) for mutual TLS; needs key'),
            key: z.string().min(1).optional().describe("the client certificate's private key (PEM file); needs cert"),
            server_name: z.string().min(1).optional().describe("the name the server's certificate must hold, when not the address's host"),
          }),
        ])
        .optional()
        .describe('TLS to the Temporal frontend: true (the system CAs), or its files; on by default with api_key'),
      api_key: z.string().min(1).optional().describe('an API key sent with every call (Temporal Cloud), from the environment: api_key: ${TEMPORAL_API_KEY}'),
    })
    .superRefine(({ tls, api_key }, ctx) => {
      if (api_key !== undefined && tls === false) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'api_key is sent only over TLS: remove tls: false' });
      if (typeof tls === 'object' && (tls.cert === undefined) !== (tls.key === undefined))
        ctx.addIssue({ code: 'custom', path: ['tls', tls.cert === undefined ? 'key' : 'cert'], message: 'a client certificate needs both cert and key' });
    })
    .default({ address: 'localhost:7233', namespace: 'default', task_queue: 'ferry' })
    .describe('where the Temporal server is (engine: temporal, ferry worker)'),
  state_dir: z.string().default('.ferry').describe('job journal, reject reports and other artifacts, relative to ferry.yaml; keep it out of git'),
  connections: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'a connection name is letters, digits, - and _' }), connectionOptionsSchema)
    .default({})
    .describe('the user stores pipelines read and write, by name (letters, digits, - and _); default: users, SQLite at .ferry/users.db'),
  retention: z
    .strictObject({
      older_than: z
        .string()
        .regex(JOB_AGE, { error: JOB_AGE_EXPECTED })
        .refine((text) => ageMs(text) !== undefined, { error: JOB_AGE_EXPECTED })
        .describe(
          "jobs that ended longer ago than this are deleted (journal record and folder), as `ferry jobs prune --older-than` does: never a running or interrupted job, nor each pipeline's last success",
        ),
      include_backups: z
        .boolean()
        .default(false)
        .describe('also delete jobs whose backup allows a rollback (off: they are kept until pruned with --include-backups)'),
    })
    .optional()
    .describe('`ferry serve` prunes old jobs when it starts and every hour'),
  notify: z
    .strictObject({
      smtp: z
        .strictObject({
          url: z.string().min(1).describe('SMTP server URL, e.g. "smtps://user:${SMTP_PASSWORD}@mail.example.com:465"'),
          from: z
            .string()
            .min(1)
            .refine(isSenderAddress, { error: SENDER_ADDRESS_EXPECTED })
            .describe('the sender address, e.g. ferry@example.com or "Ferry <ferry@example.com>"'),
        })
        .describe("the mail server of the pipelines' email notifications")
        .optional(),
    })
    .describe('how notifications are sent')
    .optional(),
});

export type ConnectionOptions = z.output<typeof connectionOptionsSchema>;
export type SqliteOptions = z.output<typeof sqliteOptionsSchema>;
export type PostgresOptions = z.output<typeof postgresOptionsSchema>;
export type FerryConfig = z.output<typeof configSchema>;

/** The connection every project has unless ferry.yaml names its own `users`: SQLite in the state dir. */
export const DEFAULT_CONNECTION = 'users';

/** What Ferry uses when there is no ferry.yaml: the embedded engine and one SQLite user store. */
export function defaultConfig(): FerryConfig {
  return withDefaultConnection(configSchema.parse({}));
}

/**
 * `users` (SQLite `<state_dir>/users.db`) added when the config does not define it, so a ferry.yaml
 * that sets only `engine:`, `temporal:` or `notify:` keeps the store a project without one has.
 */
export function withDefaultConnection(config: FerryConfig): FerryConfig {
  if (DEFAULT_CONNECTION in config.connections) return config;
  const users: SqliteOptions = { driver: 'sqlite', path: `${config.state_dir.replace(/\/+$/, '')}/users.db`, table: 'users' };
  return { ...config, connections: { [DEFAULT_CONNECTION]: users, ...config.connections } };
}
