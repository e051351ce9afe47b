import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { openConnection } from '../connections/index.js';
import type { Connection } from '../connections/types.js';
import { isUsersTable } from '../connections/users-table.js';
import type { ConnectionOptions } from '../spec/config-schema.js';
import { maskUrl } from '../spec/secrets.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { positiveNumber } from './usage.js';
import { ownField } from '../validation/own-field.js';

/** How long one connection may take to answer before it is reported as not answering. */
const DEFAULT_TIMEOUT_MS = 10_000;

interface CheckResult {
  ok: boolean;
  lines: string[];
  /** A check gave up waiting; the driver may still hold a socket open. */
  timedOut?: boolean;
}

/**
 * `ferry connections test [name]`: opens each connection of ferry.yaml (or the named one) once,
 * without retries, reads its table's columns inside a transaction that is rolled back (so a
 * missing table is not created), and says per connection what works. Exit 1 when one fails.
 */
export async function connectionsTestCommand(ctx: CliContext, name: string | undefined, options: { timeout?: string }): Promise<void> {
  const project = ctx.project();
  const all = Object.entries(project.config.connections);
  if (name !== undefined && !ownField(project.config.connections, name)) {
    throw new CliExit(
      EXIT_INVALID,
      `no connection "${name}" in ${project.configFile ? shownPath(ctx.cwd, project.configFile) : 'the default configuration'}; known: ${all.map(([n]) => n).join(', ') || 'none'}`,
    );
  }
  const timeoutMs = options.timeout === undefined ? DEFAULT_TIMEOUT_MS : positiveNumber(options.timeout, '--timeout', 'a number of seconds') * 1000;
  const chosen = name === undefined ? all : all.filter(([n]) => n === name);
  let failed = 0;
  let timedOut = false;
  for (const [connectionName, connection] of chosen) {
    const started = Date.now();
    const result = await checkConnection(connection, project.rootDir, timeoutMs, ctx.cwd);
    const head = `${result.ok ? 'ok  ' : 'FAIL'} ${connectionName} (${describe(connection, ctx.cwd)}) ${Date.now() - started}ms`;
    for (const line of [head, ...result.lines.map((l) => `     ${l}`)]) ctx.stdout(project.masker.mask(line));
    if (!result.ok) failed++;
    timedOut ||= result.timedOut === true;
  }
  if (failed > 0) ctx.stderr(`${failed} of ${chosen.length} connection(s) failed`);
  const code = failed > 0 ? EXIT_FAILED : 0;
  // A connection attempt that never answered stays pending in the driver (its own timeout is
  // longer): end the process once the report is written instead of waiting for it.
  if (timedOut) process.stdout.write('', () => process.exit(code));
  if (code !== 0) throw new CliExit(code);
}

async function checkConnection(options: ConnectionOptions, rootDir: string, timeoutMs: number, cwd: string): Promise<CheckResult> {
  if (options.driver === 'sqlite' && options.path !== ':memory:' && !existsSync(resolve(rootDir, options.path))) {
    // Opening it would create it: say so instead, writing nothing.
    return { ok: true, lines: [`${shownPath(cwd, options.path)} does not exist yet: the first job creates it with the built-in ${options.table} table`] };
  }
  let connection: Connection | undefined;
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    connection = await step('connecting', () => openConnection(options, { baseDir: rootDir }));
    const opened = connection;
    // Inside a preview (rolled back): a missing table is created as the built-in users table and dropped again.
    const columns = await step(`reading table ${options.table}`, () => opened.preview(() => opened.columns()));
    const names = columns.map((c) => c.name);
    const kind = isUsersTable(names) ? 'the built-in users table (an import creates it when missing)' : `${columns.length} columns: ${names.join(', ')}`;
    const key = columns.filter((c) => c.primaryKey).map((c) => c.name);
    return { ok: true, lines: [`connected; table ${options.table}: ${kind}${key.length > 0 ? `; primary key ${key.join(', ')}` : ''}`] };
  } catch (err) {
    return { ok: false, lines: [reason(err)], timedOut: err instanceof TimeoutError };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

class TimeoutError extends Error {}

/** What the usual failures mean here (the drivers' own hints speak of retried batches). */
const hints: Record<string, string> = {
  ECONNREFUSED: 'nothing listens at that host and port: check the port and that the server runs',
  ENOTFOUND: 'the host name does not resolve',
  ETIMEDOUT: 'the host does not answer: check the host, the port and the firewall',
  '28P01': 'the user name or password is wrong',
  '28000': 'the server refuses this user from this host (pg_hba.conf)',
  '3D000': 'the database does not exist',
};

/** The driver's message without its `[connection:driver]` prefix (the report line names the connection) and its hint. */
function reason(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/^\[connection:[^\]]+\]\s*/, '').replace(/\. Hint: .*$/s, '');
  const code = (err as { code?: unknown }).code;
  const hint = typeof code === 'string' ? hints[code] : undefined;
  return maskUrl(hint ? `${message} (${hint})` : message);
}

function describe(options: ConnectionOptions, cwd: string): string {
  return options.driver === 'sqlite' ? `sqlite ${shownPath(cwd, options.path)}` : `postgres ${maskUrl(options.url)}`;
}

function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
