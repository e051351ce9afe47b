import type { LineCounter } from './lines.js';

/**
 * A whole-file problem with a source: it is not the format it claims to be, a record is absurdly
 * long, or it cannot be read. Malformed single records are never errors (they are PARSE_ERROR
 * rejects). Bad input does not get better on retry, so only transient I/O codes are retryable.
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  readonly retryable: boolean;
  /** Byte offset in the file where the problem was found, when there is one. */
  readonly offset?: number;
  readonly code?: string;
  /** `line` or `line:col` of the file at `offset`, when the scan that found the problem counted its lines. */
  readonly place?: string;

  constructor(message: string, options: { offset?: number; code?: string; retryable?: boolean; cause?: unknown; place?: string } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
    if (options.offset !== undefined) this.offset = options.offset;
    if (options.place !== undefined) this.place = options.place;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** File-system codes that a later attempt may not hit again (descriptor exhaustion, a busy mount). */
const transientCodes = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO', 'ETIMEDOUT']);

/**
 * A scan's error that does not name its file ("expected a JSON array of users at byte 0") with the
 * file named after its `[source:…]` tag: the job's error is all a user sees of a failed plan.
 */
export function naming(format: string, path: string, err: unknown): unknown {
  if (!(err instanceof SourceError) || err.message.includes(path)) return err;
  const tag = `[source:${format}] `;
  const said = err.message.startsWith(tag) ? err.message.slice(tag.length) : err.message;
  // file:line:col, as validate and a record's error say a place: "at byte N" alone is no place in an editor.
  const where = err.place === undefined ? path : `${path}:${err.place}`;
  return new SourceError(`${tag}${where}: ${said}`, {
    cause: err.cause,
    retryable: err.retryable,
    ...(err.offset === undefined ? {} : { offset: err.offset }),
    ...(err.code === undefined ? {} : { code: err.code }),
    ...(err.place === undefined ? {} : { place: err.place }),
  });
}

/**
 * `err` with the place of its offset (`line:col`) when that byte lies in `window` (file offset of
 * window[0]: `offset`) and `lines` has counted up to it, as the scan's count has up to its window.
 */
export function placing(err: unknown, window: Buffer, offset: number, lines: LineCounter): unknown {
  if (!(err instanceof SourceError) || err.offset === undefined || err.place !== undefined) return err;
  const at = err.offset;
  if (at < lines.at || at > offset + window.length) return err;
  lines.advance(window, offset, at);
  const place = lines.column >= 0 ? `${lines.line}:${1 + lines.column}` : `${lines.line}`;
  return new SourceError(err.message, {
    cause: err.cause,
    retryable: err.retryable,
    offset: at,
    place,
    ...(err.code === undefined ? {} : { code: err.code }),
  });
}

/**
 * Says which file failed when the file system does (an error with a `code`, like ENOENT), keeping
 * the code; any other error is returned unchanged.
 */
export function ioError(format: string, path: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof SourceError || typeof code !== 'string') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(`[source:${format}] cannot read ${path}: ${message}`, { cause: err, code, retryable: transientCodes.has(code) });
}
