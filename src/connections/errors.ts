/**
 * Errors a connection throws for a whole batch (or on open). Per-row problems are rejects, never
 * errors. Whether the engine retries is decided by `isRetryable`, so every driver funnels its errors
 * through the same rules: lost connections and lock timeouts are retryable; bad input and bad
 * configuration are not (STYLE.md rule 10).
 */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly retryable: boolean;
  /** The driver's error code when there is one (`SQLITE_BUSY`, `40001`, `ECONNRESET`). */
  readonly code?: string;

  constructor(message: string, options: { retryable?: boolean; code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? isRetryable(options.cause);
    if (options.code !== undefined) this.code = options.code;
  }
}

/** Node socket errors: the peer went away or never answered; a new attempt may well succeed. */
const retryableNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

/**
 * PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock, lock timeout, admin/crash
 * shutdown, cannot connect now, too many connections. Class 08 (connection exceptions) is matched by prefix.
 */
const retryablePgCodes = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300']);

/**
 * True when the error (or one it wraps, via `cause` or an AggregateError's `errors`) says the
 * operation may succeed if tried again. An explicit boolean `retryable` field wins. Pure: looks only
 * at the error's fields.
 */
export function isRetryable(err: unknown): boolean {
  return answerInChain(err, ({ retryable, code }) => {
    if (typeof retryable === 'boolean') return retryable;
    return typeof code === 'string' && isRetryableCode(code) ? true : undefined;
  });
}

/** True when the error, or one it wraps (as `isRetryable` reads them), has this `code`. */
export function hasErrorCode(err: unknown, code: string): boolean {
  return answerInChain(err, (fields) => (fields.code === code ? true : undefined));
}

interface ErrorFields {
  retryable?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * The first answer `ask` gives of the error, then of each it wraps: an AggregateError's `errors`
 * (any of them true is true), then its `cause`. False when none answers.
 */
function answerInChain(err: unknown, ask: (fields: ErrorFields) => boolean | undefined, depth = 0): boolean {
  // Cause chains are short; the bound only guards against a cycle.
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  const fields = err as ErrorFields;
  const answer = ask(fields);
  if (answer !== undefined) return answer;
  if (Array.isArray(fields.errors) && fields.errors.some((e) => answerInChain(e, ask, depth + 1))) return true;
  return answerInChain(fields.cause, ask, depth + 1);
}

function isRetryableCode(code: string): boolean {
  // Extended SQLite codes (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE…) are still busy/locked.
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return true;
  if (retryableNodeCodes.has(code) || retryablePgCodes.has(code)) return true;
  return /^08[0-9A-Z]{3}$/.test(code);
}

/** The code of `missingTable`'s error: validate reports it whatever the driver. */
export const MISSING_TABLE = 'FERRY_MISSING_TABLE';

/** A source's table that is not in the store: never created by reading it (Connection.columns). */
export function missingTable(table: string, store: string): ConnectionError {
  return new ConnectionError(
    `table ${table} does not exist in ${store}: a source reads a table that is there, and Ferry creates none to read. Hint: check source.table, or the connection's table in ferry.yaml`,
    { retryable: false, code: MISSING_TABLE },
  );
}
