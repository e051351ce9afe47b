import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../src/connections/errors.js';
import { openPostgres } from '../../../src/connections/postgres/open.js';

/** URLs pg would misread rather than refuse: refused before any connection, saying how to write one, the password masked. */
describe('openPostgres url', () => {
  const refusal = async (url: string): Promise<Error> =>
    (await openPostgres({ driver: 'postgres', url, table: 'users', pool: 1 }).catch((err: unknown) => err)) as Error;

  it("refuses libpq's key=value form, which pg read as a host named base, without quoting its password", async () => {
    const error = await refusal('host=127.0.0.1 port=5432 user=ferry password=Sekr3t dbname=app');
    expect(error.message).not.toContain('Sekr3t');
    expect(error.message).toBe(
      "[connection:postgres] cannot connect: the url is in libpq's key=value form (host=… dbname=…), which Ferry does not read; a PostgreSQL connection url is postgres://user:password@host:5432/database",
    );
    expect(isRetryable(error)).toBe(false);
  });

  it('refuses another scheme, which pg connected with as postgres://', async () => {
    const error = await refusal('mysql://ferry:Sekr3t@127.0.0.1:1/app');
    expect(error.message).toBe(
      '[connection:postgres] cannot connect: the url starts with "mysql:" where postgres:// goes; a PostgreSQL connection url is postgres://user:password@host:5432/database',
    );
    expect(isRetryable(error)).toBe(false);
  });

  it('refuses an sslmode pg does not know, which it took silently as TLS with full certificate checks', async () => {
    const error = await refusal('postgres://ferry:Sekr3t@127.0.0.1:1/app?sslmode=bogus');
    expect(error.message).toBe(
      '[connection:postgres] cannot connect to postgres://ferry:***@127.0.0.1:1/app?sslmode=bogus: sslmode=bogus is not an SSL mode the PostgreSQL driver knows (it would take it as verify-full); use one of disable, prefer, require, verify-ca, verify-full, no-verify',
    );
    expect(isRetryable(error)).toBe(false);
    expect((await refusal('postgres://ferry@127.0.0.1:1/app?sslmode=allow')).message).toContain(
      "sslmode=allow is not an SSL mode the PostgreSQL driver knows (libpq's allow (plain first, TLS if the server demands it), which it would take as verify-full)",
    );
    // With libpq's semantics pg has no no-verify either.
    expect((await refusal('postgres://ferry@127.0.0.1:1/app?uselibpqcompat=true&sslmode=no-verify')).message).toContain(
      'sslmode=no-verify is not an SSL mode the PostgreSQL driver knows (it would take it as verify-full); use one of disable, prefer, require, verify-ca, verify-full (with uselibpqcompat=true)',
    );
    // Each value counts: pg reads the last.
    expect((await refusal('postgres://ferry@127.0.0.1:1/app?sslmode=disable&sslmode=REQUIRE')).message).toContain('sslmode=REQUIRE is not an SSL mode');
  });

  it('takes every sslmode pg knows, on to connecting', async () => {
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']) {
      const error = await refusal(`postgres://ferry@127.0.0.1:1/app?sslmode=${mode}`);
      expect(error.message, mode).toMatch(
        /^\[connection:postgres\] cannot connect to postgres:\/\/ferry@127\.0\.0\.1:1\/app\?sslmode=[a-z-]+: connect ECONNREFUSED/,
      );
    }
  });

  // maskUrl finds a password only after "//": these were quoted whole, password and all
  it.each([['ferry:Sekr3t@127.0.0.1:1/app'], ['jdbc:postgresql://127.0.0.1:1/app?user=ferry&password=Sekr3t']])(
    'refuses %s without quoting its password',
    async (url) => {
      const error = await refusal(url);
      expect(error.message).not.toContain('Sekr3t');
      expect(error.message).toMatch(/^\[connection:postgres\] cannot connect: the url starts with "(ferry|jdbc):" where postgres:\/\/ goes; /);
    },
  );
});
