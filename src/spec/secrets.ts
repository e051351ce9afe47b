/**
 * Keeps secrets out of every message, log line and report. Values that came from the environment
 * are masked by value, as written and as URL building spells them; passwords in URLs are then
 * masked by shape, which also catches a password nobody registered.
 */

/** `scheme://user:` — the password follows. */
const credentialsStart = /\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s"]*:/gi;

/**
 * `postgres://app:s3cret@db/users` → `postgres://app:***@db/users`. The password runs to the LAST
 * `@` before the host, whatever it holds: userinfo holds `@` unencoded in practice
 * (`me@server:Real@Secret@db`), and a literal URL in ferry.yaml may hold `"` or `/`; stopping at
 * the first one would print the rest of the password. An `@` later in the path or query makes the
 * mask take more than the password: the safe side. See `passwordEnd` for where the URL ends.
 */
export function maskUrl(text: string): string {
  const starts = new RegExp(credentialsStart);
  let out = '';
  let copied = 0;
  for (let m = starts.exec(text); m !== null; m = starts.exec(text)) {
    const from = m.index + m[0].length;
    const at = passwordEnd(text, from, text[m.index - 1] === '"');
    if (at === -1) continue;
    out += `${text.slice(copied, from)}***`;
    copied = at;
    starts.lastIndex = at;
  }
  return (out + text.slice(copied)).replace(queryPassword, '$1***');
}

/**
 * A password as a URL's query parameter: pg reads `postgres://ferry@db/app?password=…` as the
 * connection's password. Its value runs to the next parameter, the fragment, whitespace or a `"`
 * (the end of a JSON string; one escaped in it, `\"`, is the value's own), less a `)` just before
 * that end: the one closing a url quoted in parentheses (`FAIL a (postgres <url>)`), which the
 * message keeps.
 */
const queryPassword = /([?&](?:ssl)?password=)(?:[^&#\s"\\]|\\.)*?(?=\)?(?:[&#\s"]|$))/gi;

/** JSON's structure after a string: a `"` followed by one of these (or whitespace, or the end) closes one. */
const AFTER_JSON_STRING = new Set([',', ':', '}', ']']);

/**
 * Index of the `@` that ends the password starting at `from`, or -1 (no password: `me@db:5432`,
 * `http://host:8080/x`). The URL ends at whitespace, and in JSON text (`--json`, a reject report,
 * the console's pages) at the end of its string, never in a later field:
 * an unescaped `"` followed by `,` `:` `}` `]`, whitespace or the end (in JSON, a `"` in the
 * password is `\"`). When no `@` comes before that `"`, the URL has no password — unless it is bare
 * text (it does not open a quoted string, `quoted`) with no other `"` before the next `@`: then
 * that `"` was the password's own (bare text has no escapes), and the password runs to that `@`.
 */
function passwordEnd(text: string, from: number, quoted: boolean): number {
  const space = /\s/g;
  space.lastIndex = from;
  const stop = space.exec(text)?.index ?? text.length;
  const last = (before: number): number => {
    const at = text.lastIndexOf('@', before - 1);
    return at >= from ? at : -1;
  };
  for (let i = from; i < stop; i++) {
    if (text[i] !== '"' || isEscaped(text, i)) continue;
    if (i + 1 < stop && !AFTER_JSON_STRING.has(text[i + 1]!)) continue;
    const before = last(i);
    if (before !== -1 || quoted) return before;
    const next = text.indexOf('@', i + 1);
    return next !== -1 && next < stop && !text.slice(i + 1, next).includes('"') ? next : -1;
  }
  return last(stop);
}

/** Whether the character at `i` follows an odd run of backslashes. */
function isEscaped(text: string, i: number): boolean {
  let backslashes = 0;
  while (i - backslashes - 1 >= 0 && text[i - backslashes - 1] === '\\') backslashes++;
  return backslashes % 2 === 1;
}

/** Shorter values are ignored: masking "a" would garble every message. */
const MIN_SECRET_LENGTH = 4;

export class SecretMasker {
  private readonly values: string[] = [];
  /** Every spelling of every value, longest first: a secret inside a longer one is masked with it. */
  private spellings: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  /** Registers a secret value; very short values are ignored. */
  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.includes(value)) return;
    this.values.push(value);
    const all = new Set([...this.spellings, ...spellingsOf(value).filter((s) => s.length >= MIN_SECRET_LENGTH)]);
    this.spellings = [...all].sort((a, b) => b.length - a.length);
  }

  /** The values masked: what a worker thread's masker is built from. */
  secrets(): string[] {
    return [...this.values];
  }

  /**
   * Known values first, then URL passwords by shape: masking the shape first would cut a password
   * holding `@` in two, and neither half would match its value any more.
   */
  mask(text: string): string {
    let out = text;
    for (const s of this.spellings) out = out.split(s).join('***');
    return maskUrl(out);
  }
}

/**
 * A secret as it may appear in output: as it is, inside a JSON string (`--json`, the console's
 * answers), and as a URL holding it spells it — encodeURIComponent / encodeURI (a webhook's user,
 * password and query), form encoding (a query rewritten through URLSearchParams), and the WHATWG
 * URL parser's own percent-encoding (`new URL(…).href`, as displayUrl shows a webhook), which
 * escapes fewer characters than encodeURIComponent, differs between path, query, fragment and
 * userinfo and between http and other schemes, and drops tabs and newlines.
 */
function spellingsOf(secret: string): string[] {
  const out = [secret];
  const add = (spell: () => string): void => {
    try {
      out.push(spell());
    } catch {
      // a lone surrogate cannot be encoded (URIError): that spelling cannot occur either
    }
  };
  add(() => JSON.stringify(secret).slice(1, -1));
  add(() => encodeURIComponent(secret));
  add(() => encodeURI(secret));
  add(() => new URLSearchParams({ v: secret }).toString().slice('v='.length));
  for (const base of ['http://h/', 'http://h/?', 'http://h/#', 'x://h/', 'x://h/?']) add(() => new URL(base + secret).href.slice(base.length));
  add(() => {
    const url = new URL('http://h/');
    url.password = secret;
    return url.password;
  });
  return out;
}
