import { maskUrl } from '../../spec/secrets.js';

/**
 * What pg would misread in `url` instead of refusing it: libpq's key=value form, which it takes
 * for a path under the host "base" (`getaddrinfo ENOTFOUND base`), another scheme (mysql://),
 * which it connects with as if it were postgres://, and an `sslmode` it does not know.
 */
export function urlMistake(url: string): string | undefined {
  const form = 'a PostgreSQL connection url is postgres://user:password@host:5432/database';
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  // Not quoted: maskUrl finds no password in key=value text.
  if (scheme === undefined)
    return /^\s*\w+\s*=/.test(url) ? `cannot connect: the url is in libpq's key=value form (host=… dbname=…), which Ferry does not read; ${form}` : undefined;
  // A socket: url reads no SSL parameters (there is no TLS over a Unix socket).
  if (scheme === 'socket') return undefined;
  // Not quoted either: without a "//" (user:Sekr3t@host, jdbc:postgresql://…?password=…) maskUrl finds no password.
  if (!['postgres', 'postgresql'].includes(scheme)) return `cannot connect: the url starts with "${scheme}:" where postgres:// goes; ${form}`;
  return sslModeMistake(url);
}

/**
 * The SSL modes of pg-connection-string (the parser pg uses): with `uselibpqcompat=true` libpq's,
 * without `allow`; else those and `no-verify`. Any other value, `sslmode=bogus` or a misspelt
 * `sslmode=requre`, pg takes without a word as TLS with full certificate checks.
 */
const libpqModes = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
const pgModes = [...libpqModes, 'no-verify'];

function sslModeMistake(url: string): string | undefined {
  const params = searchParams(url);
  if (params === undefined) return undefined;
  const compat = params.get('uselibpqcompat') === 'true';
  const known = compat ? libpqModes : pgModes;
  const unknown = params.getAll('sslmode').find((mode) => !known.includes(mode));
  if (unknown === undefined) return undefined;
  // pg takes any other value as TLS with the server's certificate and name checked.
  const what =
    unknown === 'allow' ? "libpq's allow (plain first, TLS if the server demands it), which it would take as verify-full" : 'it would take it as verify-full';
  const modes = `${known.join(', ')}${compat ? ' (with uselibpqcompat=true)' : ''}`;
  return `cannot connect to ${maskUrl(url)}: sslmode=${unknown} is not an SSL mode the PostgreSQL driver knows (${what}); use one of ${modes}`;
}

/** The url's query as pg reads it (it parses with WHATWG URL too); undefined where pg would refuse the url itself. */
function searchParams(url: string): URLSearchParams | undefined {
  try {
    return new URL(url.trim(), 'postgres://base').searchParams;
  } catch {
    try {
      return new URL(url.trim().replace('@/', '@___DUMMY___/'), 'postgres://base').searchParams;
    } catch {
      return undefined;
    }
  }
}
