/*
 * A webhook URL is kept in the job's plan (plan.json, the journal) so the notification can be sent
 * when the job ends, possibly by another process. So a pipeline may not write credentials in it:
 * a user:password, or a query parameter that carries a token, must be an environment reference
 * `${NAME}`, which is stored as written and resolved from the environment only when the
 * notification is sent. A URL whose path is itself the secret (some chat services) can be a whole
 * reference: `webhook: ${CHAT_HOOK_URL}`. `$${NAME}` writes a literal `${NAME}`, as in ferry.yaml
 * (env-references.ts): it is text written in the URL like any other.
 */

import { expandReferences, isWholeReference } from './env-references.js';

/** Stands for a reference while the URL is parsed: letters only, so no part of a URL changes it. */
const REF_MARK = 'ferryenvref';
/** Query parameters that carry credentials. */
const SECRET_PARAM = /token|secret|passw|pwd|key|sig|auth|credential|session|code/i;

/** Why a webhook URL written in a pipeline cannot be used, or null. */
export function webhookUrlProblem(text: string): string | null {
  if (isWholeReference(text)) return null;
  let url: URL;
  try {
    url = new URL(expandReferences(text, () => REF_MARK));
  } catch {
    return 'expected an http(s) URL, or an environment reference such as ${HOOK_URL}';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http(s) URL, got ${url.protocol.slice(0, -1)}:`;
  const fix = "it would be stored in the job's plan and journal; reference the environment instead";
  const literal = (part: string): boolean => part.split(REF_MARK).join('') !== '';
  if (literal(url.username) || literal(url.password)) return `credentials written in the URL: ${fix}, e.g. https://\${HOOK_USER}:\${HOOK_PASSWORD}@host/path`;
  for (const [name, value] of url.searchParams) {
    if (SECRET_PARAM.test(name) && literal(value)) return `query parameter "${name}" holds a credential: ${fix}, e.g. ?${name}=\${HOOK_TOKEN}`;
  }
  return null;
}

/**
 * The URL with its `${NAME}` references resolved, and the values used (to be masked); or the first
 * unset name. A value in the user, password or query is percent-encoded (a password may hold @ or
 * &); one in the path, or a whole-URL reference, goes in as it is.
 */
export function resolveWebhookUrl(text: string, env: Readonly<Record<string, string | undefined>>): { url: string; secrets: string[] } | { unset: string } {
  const secrets: string[] = [];
  let unset: string | undefined;
  const query = text.indexOf('?');
  const authorityEnd = text.indexOf('/', text.indexOf('//') + 2);
  const whole = isWholeReference(text);
  const url = expandReferences(text, ({ name, written, index }) => {
    const value = env[name];
    if (value === undefined) {
      unset ??= name;
      return written;
    }
    secrets.push(value);
    const encode = !whole && ((query >= 0 && index > query) || authorityEnd < 0 || index < authorityEnd);
    return encode ? encodeURIComponent(value) : value;
  });
  return unset !== undefined ? { unset } : { url, secrets };
}
