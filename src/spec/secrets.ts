/**
 * Keeps secrets out of every message, log line and report. Values that came from the environment
 * are masked by value, as written and as URL building spells them; passwords in URLs are then
 * masked by shape, which also catches a password nobody registered.
 */

/**
 * `scheme://user:password@`. The password runs to the LAST `@` of the URL: userinfo holds `@`
 * unencoded in practice (`me@server:Real@Secret@db`), and stopping at the first one would print
 * the rest of the password. An `@` later in the path or query makes the mask take more than the
 * password: the safe side. The URL ends at whitespace or `"` (a JSON string's end).
 */
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s"]*):[^\s"]*@/gi;

/** `postgres://app:s3cret@db/users` → `postgres://app:***@db/users`. */
export function maskUrl(text: string): string {
  return text.replace(urlCredentials, '$1:***@');
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
