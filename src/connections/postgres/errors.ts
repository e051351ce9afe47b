import type { ClientBase, DatabaseError } from 'pg';
import { maskUrl } from '../../spec/secrets.js';
import type { RejectError } from '../../validation/reject.js';
import { ConnectionError, isRetryable } from '../errors.js';
import type { PgShape } from './schema.js';
import type { PgStatements } from './sql.js';
import { storeRejects } from '../write-rules.js';

/** The fields of a server error pg passes on (`DatabaseError`); absent on socket errors. */
type ServerError = Partial<Pick<DatabaseError, 'code' | 'constraint' | 'column' | 'message' | 'routine'>>;

/**
 * True for an error about one row's data: SQLSTATE class 22 (data exception: a value the column's
 * type refuses), 23 (integrity: unique, not-null, check, foreign key, exclusion) or P0 (PL/pgSQL:
 * a trigger that raises an exception for the row, P0001 by default).
 * These become rejects once the row at fault is known; anything else fails the batch.
 */
export function isRowError(err: unknown): boolean {
  const code = (err as ServerError | null)?.code;
  return typeof code === 'string' && /^(22|23|P0)/.test(code);
}

/**
 * A row a row-level security policy's WITH CHECK refused, on a table that has row-level security
 * (PgShape `rowSecurity`): a reject of that row, as a CHECK's refusal is, not a failed batch. Told
 * from a privilege the user lacks — 42501 too, raised for every row before any is written, which
 * fails the batch — by where the server raised it (its routine field; its words, where a proxy drops the field).
 */
export function isRowSecurityRefusal(err: unknown, shape: Pick<PgShape, 'rowSecurity'>): boolean {
  if (!shape.rowSecurity) return false;
  const { code, routine, message } = (err ?? {}) as ServerError;
  return code === '42501' && (routine === 'ExecWithCheckOptions' || /^new row violates row-level security policy/.test(message ?? ''));
}

/** An error about one row's data (`isRowError`), or a row row-level security refused (`isRowSecurityRefusal`). */
export function isRowRefusal(err: unknown, shape: Pick<PgShape, 'rowSecurity'>): boolean {
  return isRowError(err) || isRowSecurityRefusal(err, shape);
}

/** A unique violation (of any index but the marker's, which fails the batch before this is asked). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as ServerError | null)?.code === '23505';
}

/** A unique violation on the batch marker: another attempt of the same batch committed first. */
export function isMarkerCollision(err: unknown): boolean {
  const { code, constraint } = (err ?? {}) as ServerError;
  return code === '23505' && constraint === 'ferry_batches_pkey';
}

/** What a rejected row was writing: its present columns and their encoded values. */
export interface RowValues {
  present: readonly number[];
  values: readonly (string | null)[];
}

/**
 * The reject for one row whose statement failed with a row error (`isRowError`), inside its own
 * savepoint, already rolled back. The constraint or column named by the server picks the path; a
 * value the column's type refuses is found by asking the server to parse each value alone.
 */
export async function rowReject(
  err: unknown,
  client: ClientBase,
  shape: PgShape,
  sql: PgStatements,
  row: RowValues,
  key?: readonly string[],
): Promise<RejectError> {
  const { code = '', constraint, column, message = String(err) } = err as ServerError;
  const columns = constraint === undefined ? undefined : shape.constraints.get(constraint);
  const named = (columns ?? []).filter((c) => c !== '');
  if (code === '23505' || code === '23P01') {
    const conflict = storeRejects.conflict(named);
    // The key's lookup found no row, yet one holds the key: a policy's USING hides it from this user.
    if (!shape.rowSecurity || key === undefined || named.length === 0 || !named.every((c) => key.includes(c))) return conflict;
    return {
      ...conflict,
      message: `${named.join(', ')} already belongs to a user that row-level security on ${shape.readName} hides from this database user (a policy's USING), so this row can neither update it nor be inserted`,
    };
  }
  if (isRowSecurityRefusal(err, shape))
    return {
      code: 'INVALID_TYPE',
      path: '',
      message: `rejected by the database: ${message}: a row-level security policy's WITH CHECK refuses this row for this database user`,
    };
  if (code === '23502') return { code: 'REQUIRED', path: column ?? '', message: `${column ?? 'a column'} must not be null` };
  const path = isValueError(err, shape) ? await refusedColumn(client, shape, sql, row) : (named[0] ?? '');
  return { code: 'INVALID_TYPE', path, message: `rejected by the database: ${message}` };
}

/** A value its column's type refuses: a data exception, or a CHECK that is not the table's (a domain's). */
function isValueError(err: unknown, shape: PgShape): boolean {
  const { code = '', constraint } = err as ServerError;
  return code.startsWith('22') || (code === '23514' && (constraint === undefined || !shape.constraints.has(constraint)));
}

/** The first present column whose value alone the server refuses; '' when each is accepted (a trigger refused the row). */
async function refusedColumn(client: ClientBase, shape: PgShape, sql: PgStatements, row: RowValues): Promise<string> {
  for (let i = 0; i < row.present.length; i++) {
    const position = row.present[i] as number;
    const value = row.values[i] ?? null;
    if (value === null) continue;
    await client.query('SAVEPOINT ferry_probe');
    let refused = false;
    try {
      await client.query({ ...sql.probe(position), values: [value] });
    } catch (err) {
      if (!isRowError(err)) throw err;
      refused = isValueError(err, shape);
    }
    // The probe's row (or its failure) never stays: only what it said about the value matters.
    await client.query('ROLLBACK TO SAVEPOINT ferry_probe');
    await client.query('RELEASE SAVEPOINT ferry_probe');
    if (refused) return shape.columns[position]?.name ?? '';
  }
  return '';
}

/**
 * pg reports a connection that died mid-query with no SQLSTATE; the server going away (restart,
 * failover, a killed backend) is worth another attempt like any lost connection.
 */
const lostConnection =
  /Connection terminated|connection (?:closed|ended|lost)|Client has encountered a connection error|timeout exceeded when trying to connect|terminating connection/i;

/**
 * 08P01, protocol violation: class 08 (connection exception) but no lost connection. The server
 * refuses what was sent, the same way every time; most often a statement with more parameters than
 * the protocol counts (65,535 in 16 bits: the server then reads "bind message has 4464 parameter
 * formats but 0 parameters" for 70,000). Not retryable.
 */
const protocolViolation = '08P01';
const tooManyParameters = /^bind message (has|supplies) \d+ parameter/;

const wentAway = 'the server went away or refused the connection';

const hints: [RegExp, string][] = [
  [/^(40001|40P01|55P03)$/, 'another transaction held the same rows'],
  [/^08P01$/, 'PostgreSQL refused the statement as sent (a protocol violation); a retry would fail the same way'],
  [/^53300$/, "the server has no connection slot free (max_connections): lower the connection's pool or the other clients' sessions"],
  [/^(57P0[123]|08...|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE)$/, wentAway],
  [
    /^25P0[34]$/,
    "the server ended the session for a transaction left open too long (the user's or database's idle_in_transaction_session_timeout or transaction_timeout): raise it for Ferry's user, or lower the pipeline's batch size",
  ],
  [
    /^25006$/,
    'the server takes no writes: it is a hot standby (a read replica), or default_transaction_read_only is on for the user or database; point the url at the primary',
  ],
  [/^(28P01|28000)$/, "check the user and password in the connection's url"],
  [/^3D000$/, "check the database name in the connection's url"],
  [/^(42P01|3F000)$/, "check the connection's table in ferry.yaml"],
  [
    /^(42703|42804|0A000)$/,
    "the table's columns changed while the job ran (a column dropped, added or given another type): resume the job, which reads the table anew and checks the pipeline against it",
  ],
  [/^42883$/, "a column's type lacks the operator (a key column of a type without =, or one given another type while the job ran)"],
  [/^42501$/, 'the database user lacks a privilege on the table or its schema, or a row-level security policy refused a row'],
  [/^428C9$/, "the server writes that column itself (GENERATED ALWAYS: a computed column or an identity): leave it out of the pipeline's columns"],
  [/^ENOTFOUND$/, "check the host in the connection's url"],
];

/** The server a connection talks to, as its errors name it: its URL (masked in messages) and how long it is waited for. */
export interface ServerWait {
  url: string;
  queryTimeoutMs: number;
  connectTimeoutMs: number;
}

/** pg's `query_timeout` fired: the statement got no answer in time. pg leaves it in flight; the session is unusable. */
export function isNoAnswer(err: unknown): boolean {
  // Also once wrapped (a ConnectionError from a guarded write inside a preview), via its cause.
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e.message === 'Query read timeout') return true;
  return false;
}

/** pg-pool's `connectionTimeoutMillis` fired: no session opened (or came free) in time. */
function isConnectTimeout(err: unknown): boolean {
  return err instanceof Error && /^(Connection terminated due to connection timeout|timeout exceeded when trying to connect)$/.test(err.message);
}

/**
 * Any failure as a ConnectionError `[connection:postgres] <context>: <message>. Hint: …`, URL passwords masked, retryable when transient.
 * With `server`, a statement or a session that got no answer in time says so with the server and the wait (pg's
 * own texts are "Query read timeout" and "Connection terminated due to connection timeout").
 */
export function toConnectionError(err: unknown, driver: string, context: string, server?: ServerWait, elapsedMs?: number): ConnectionError {
  if (err instanceof ConnectionError && err.message.startsWith(`[connection:${driver}]`)) return err;
  if (server !== undefined && (isNoAnswer(err) || isConnectTimeout(err))) return noAnswerError(err, driver, context, server);
  if (server !== undefined && isStatementTimeout(err, server, elapsedMs)) return statementTimeoutError(err, driver, context, server);
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(err);
  const lost = code === undefined && lostConnection.test(message);
  const refused = code === protocolViolation;
  const hint = hintFor(code, message, lost);
  const text = `[connection:${driver}] ${context}: ${message}${hint === undefined ? '' : `. Hint: ${hint}`}`;
  const retryable = !refused && (lost || isRetryable(err));
  return new ConnectionError(maskUrl(text), { retryable, cause: err, ...(code === undefined ? {} : { code }) });
}

function hintFor(code: string | undefined, message: string, lost: boolean): string | undefined {
  // pg reads the connection string with WHATWG URL: a raw `@ : / # ? %` in a password breaks it.
  if (code === 'ERR_INVALID_URL')
    return 'the connection url does not parse: a user name or password holding @ : / # ? % or a space must be percent-encoded (encodeURIComponent), e.g. p%40ss for p@ss';
  if (code === protocolViolation && tooManyParameters.test(message))
    return 'the statement has more than 65,535 parameters, the most PostgreSQL takes (a query with that many terms?); a retry would fail the same way';
  if (code === undefined) return lost ? wentAway : undefined;
  // Not a column that changed: a DO INSTEAD rule, under which the server returns no row (its own words do not say why).
  if (code === '0A000' && /RETURNING/.test(message))
    return 'the table has a DO INSTEAD rule (or is a view with one), and Ferry writes with RETURNING to record each row for its rollback: replace the rule with a trigger, or write to the table the rule writes to';
  return hints.find(([pattern]) => pattern.test(code))?.[1];
}

/**
 * The server cancelled a statement that ran past the session's `statement_timeout` (the connection's
 * query_timeout). Told by its SQLSTATE and the time the call took, not the message: the server words
 * it in its own lc_messages language. An earlier 57014 is another cancel (an operator's pg_cancel_backend).
 */
function isStatementTimeout(err: unknown, server: ServerWait, elapsedMs: number | undefined): boolean {
  const { code } = (err ?? {}) as ServerError;
  return code === '57014' && (elapsedMs === undefined || elapsedMs >= server.queryTimeoutMs);
}

/**
 * Retryable, unlike other cancels (57014 is also an operator's pg_cancel_backend): what made the
 * statement slow, most often another transaction's locks, may be gone at the next attempt.
 */
function statementTimeoutError(err: unknown, driver: string, context: string, server: ServerWait): ConnectionError {
  const limit = `${Number((server.queryTimeoutMs / 1000).toFixed(3))} s`;
  const text =
    `[connection:${driver}] ${context}: the PostgreSQL server at ${server.url} cancelled the statement after the connection's query_timeout (${limit}). ` +
    `Hint: another transaction may hold locks on the table, or the statement needs longer (raise the connection's query_timeout in ferry.yaml)`;
  return new ConnectionError(maskUrl(text), { retryable: true, cause: err, code: '57014' });
}

/**
 * Retryable: a server or network that stalls may recover, and the retry runs on a new session (a
 * session that got no answer was discarded, its transaction dies with it). A server that stays
 * silent fails every attempt.
 */
function noAnswerError(err: unknown, driver: string, context: string, server: ServerWait): ConnectionError {
  const connecting = isConnectTimeout(err);
  const wait = `${Number(((connecting ? server.connectTimeoutMs : server.queryTimeoutMs) / 1000).toFixed(3))} s`;
  const what = connecting ? 'no session opened with' : 'no answer from';
  const cause = connecting
    ? "or every session of the connection's pool stayed busy (raise its connect_timeout in ferry.yaml)"
    : "or the statement needs longer (raise the connection's query_timeout in ferry.yaml); the session is closed";
  const text = `[connection:${driver}] ${context}: ${what} the PostgreSQL server at ${server.url} in ${wait}. Hint: the server or the network to it stalled, ${cause}`;
  return new ConnectionError(maskUrl(text), { retryable: true, cause: err });
}
