import { z } from 'zod';

/** `ferry.yaml`: engine, state dir, connections, notification transport. Strict like pipelines. */

export const sqliteOptionsSchema = z.strictObject({
  driver: z.literal('sqlite'),
  path: z.string().min(1),
  table: z.string().min(1).default('users'),
});

export const postgresOptionsSchema = z.strictObject({
  driver: z.literal('postgres'),
  url: z.string().min(1),
  table: z.string().min(1).default('users').describe('table name, optionally schema-qualified'),
  pool: z.number().int().min(1).max(100).default(4),
});

export const connectionOptionsSchema = z.discriminatedUnion('driver', [sqliteOptionsSchema, postgresOptionsSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected driver "sqlite" or "postgres"' : undefined),
});

export const configSchema = z.strictObject({
  engine: z.enum(['embedded', 'temporal']).default('embedded'),
  temporal: z
    .strictObject({
      address: z.string().default('localhost:7233'),
      namespace: z.string().default('default'),
      task_queue: z.string().default('ferry'),
      heartbeat_timeout: z
        .string()
        .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { error: 'expected a duration such as 10s, 2m' })
        .optional()
        .describe('how long a batch may go without a heartbeat before its worker counts as dead (default 2m)'),
    })
    .default({ address: 'localhost:7233', namespace: 'default', task_queue: 'ferry' }),
  state_dir: z.string().default('.ferry'),
  connections: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), connectionOptionsSchema).default({}),
  notify: z
    .strictObject({
      smtp: z.strictObject({ url: z.string().min(1), from: z.string().min(1) }).optional(),
    })
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
