import { describe, expect, it } from 'vitest';
import { ConnectionError, isRetryable } from '../../../src/connections/errors.js';
import { isNoAnswer, toConnectionError } from '../../../src/connections/postgres/errors.js';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isRetryable', () => {
  it.each([
    'SQLITE_BUSY',
    'SQLITE_BUSY_SNAPSHOT',
    'SQLITE_LOCKED',
    'SQLITE_LOCKED_SHAREDCACHE',
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EPIPE',
    '08000',
    '08006',
    '08P01',
    '40001',
    '40P01',
    '57P01',
    '57P02',
    '57P03',
    '53300',
  ])('retries %s', (code) => {
    expect(isRetryable(withCode(code))).toBe(true);
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CORRUPT', 'SQLITE_BUSYNESS', 'ENOENT', '23505', '42P01', '0800', '57014'])('does not retry %s', (code) => {
    expect(isRetryable(withCode(code))).toBe(false);
  });

  it('looks through causes and AggregateError members', () => {
    expect(isRetryable(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isRetryable(new AggregateError([withCode('ENOENT'), withCode('ECONNREFUSED')]))).toBe(true);
  });

  it('lets an explicit retryable field decide', () => {
    expect(isRetryable(new ConnectionError('bad key', { retryable: false, cause: withCode('SQLITE_BUSY') }))).toBe(false);
    expect(isRetryable({ retryable: true })).toBe(true);
  });

  it('is false for non-errors and cyclic causes', () => {
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable('SQLITE_BUSY')).toBe(false);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isRetryable(cyclic)).toBe(false);
  });
});

describe('ConnectionError', () => {
  it('derives retryable from its cause unless told, and keeps the code', () => {
    const busy = new ConnectionError('[connection:sqlite] locked', { code: 'SQLITE_BUSY', cause: withCode('SQLITE_BUSY') });
    expect(busy).toMatchObject({ name: 'ConnectionError', retryable: true, code: 'SQLITE_BUSY' });
    expect(new ConnectionError('x').retryable).toBe(false);
  });
});

describe('isNoAnswer (a PostgreSQL statement that got no answer in query_timeout)', () => {
  it("sees pg's timeout as thrown, and once wrapped by a connection error (a write inside a dry run)", () => {
    const timeout = new Error('Query read timeout');
    expect(isNoAnswer(timeout)).toBe(true);
    expect(isNoAnswer(new ConnectionError('[connection:postgres] batch 1: no answer', { cause: timeout }))).toBe(true);
    expect(isNoAnswer(new ConnectionError('[connection:postgres] batch 1: refused', { cause: new Error('connect ECONNREFUSED') }))).toBe(false);
    expect(isNoAnswer('Query read timeout')).toBe(false);
  });
});

describe('toConnectionError (PostgreSQL)', () => {
  it('a url pg cannot parse (a raw @ in the password) says to percent-encode it, is not retried, and quotes no password', () => {
    let thrown: unknown;
    try {
      new URL('postgres://ferry:p@ss:w/rd#?x@127.0.0.1:5432/db');
    } catch (err) {
      thrown = err;
    }
    const error = toConnectionError(thrown, 'postgres', 'opening connection "crm"');
    expect(error.message).toMatch(
      /^\[connection:postgres\] opening connection "crm": Invalid URL\. Hint: the connection url does not parse: .* percent-encoded \(encodeURIComponent\), e\.g\. p%40ss for p@ss$/,
    );
    expect(error.message).not.toContain('w/rd');
    expect(error.retryable).toBe(false);
  });

  it('a server with no connection slot free (53300) says so, retryable', () => {
    const error = toConnectionError(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), 'postgres', 'opening connection "crm"');
    expect(error.message).toBe(
      '[connection:postgres] opening connection "crm": sorry, too many clients already. Hint: the server has no connection slot free (max_connections): ' +
        "lower the connection's pool or the other clients' sessions",
    );
    expect(error.retryable).toBe(true);
  });

  it('a value for a GENERATED ALWAYS column (428C9) says to leave the column out, not retryable', () => {
    const refused = Object.assign(new Error('cannot insert a non-DEFAULT value into column "up"'), { code: '428C9' });
    const error = toConnectionError(refused, 'postgres', 'writing rows 1–1 of job j');
    expect(error.message).toBe(
      '[connection:postgres] writing rows 1–1 of job j: cannot insert a non-DEFAULT value into column "up". ' +
        "Hint: the server writes that column itself (GENERATED ALWAYS: a computed column or an identity): leave it out of the pipeline's columns",
    );
    expect(error.retryable).toBe(false);
  });
});
