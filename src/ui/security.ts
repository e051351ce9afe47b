import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';

/** The header a state-changing request must carry: the page's own per-process token. */
export const CSRF_HEADER = 'x-ferry-csrf';

/**
 * The token `ferry ui` makes when FERRY_UI_TOKEN gives none: 256 random bits, URL-safe. A console on
 * loopback is no less reachable for it: any other local user or process can connect to it.
 */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a request without the token (or with a wrong one) is told: where the token is, never the token. */
export const TOKEN_REFUSED = 'this console needs its token: open the URL that `ferry ui` printed when it started (…/?token=…)';

export interface Guard {
  /** Given to the page (in its HTML); cross-site pages cannot read it. */
  readonly csrfToken: string;
  /**
   * Throws 401/403 for a request that may not go on. Answers the `?token=` login itself (sets the
   * cookie and moves on to the page) and then returns false: the request is done.
   */
  check(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Every request: the Host header naming this server (a page of another site that resolves its own
 * name to 127.0.0.1 — DNS rebinding — is refused); no cross-site Sec-Fetch-Site but on the page
 * itself (a link to it); the access token (its cookie, `Authorization: Bearer`, or `?token=` once on
 * the page, which sets the cookie). Every request that is not GET or HEAD: no cross-site Origin
 * either, and the CSRF header matching the page's token.
 */
export function createGuard(options: { token: string; host: string; port: () => number }): Guard {
  if (options.token === '') throw new Error('the console needs a token');
  const csrfToken = randomBytes(24).toString('base64url');
  // Named after the port: cookies are not kept apart by port, and two consoles on one host (two
  // projects, two users) would each overwrite the other's, or take it when their tokens are the same.
  const tokenCookie = (): string => `ferry_ui_token_${options.port()}`;
  const expectedHosts = (): Set<string> => {
    const port = options.port();
    const own = options.host.includes(':') ? `[${options.host}]` : options.host;
    // The bound address itself first (what `ferry ui` printed: 127.0.0.2 is loopback too), then the loopback names.
    const names = isLoopback(options.host) ? [own, '127.0.0.1', 'localhost', '[::1]'] : [own];
    return new Set(names.map((n) => `${n}:${port}`));
  };
  return {
    csrfToken,
    check(req, res, url) {
      const host = req.headers.host ?? '';
      if (!expectedHosts().has(withPort(host)) && options.host !== '0.0.0.0' && options.host !== '::')
        throw new HttpError(421, `this console answers as ${[...expectedHosts()][0]}, not ${host || 'no host'}`);
      const site = req.headers['sec-fetch-site'];
      const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
      const readOnly = req.method === 'GET' || req.method === 'HEAD';
      // Before the token: another site's request is refused whatever the browser sends with it.
      // Another site's page may link to the console (its page, `/`), not have the browser fetch the
      // rest: an <img> of /api/pipelines ran every pipeline's tests, of a rollback check queried the
      // store, each time that page asked, and a status or timing told it which jobs exist.
      if (crossSite && (!readOnly || url.pathname !== '/')) throw new HttpError(403, `cross-site request refused (Sec-Fetch-Site: ${site})`);
      const given = url.searchParams.get('token');
      if (given !== null && req.method === 'GET' && url.pathname === '/') {
        if (!same(given, options.token)) throw new HttpError(401, TOKEN_REFUSED);
        // A page that moves on to `/` itself, not a redirect: a browser sends no SameSite=Strict
        // cookie on a navigation another site's page started (a link in a chat), redirects and
        // reloads included; the page's own navigation is same-site and carries it.
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'set-cookie': `${tokenCookie()}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        });
        res.end(
          '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=/"><title>Ferry console</title><a href="/">Open the console</a>\n',
        );
        return false;
      }
      const presented = bearer(req) ?? cookie(req, tokenCookie());
      if (presented === undefined || !same(presented, options.token)) throw new HttpError(401, TOKEN_REFUSED);
      if (readOnly) return true;
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) throw new HttpError(403, `cross-site request refused (Origin: ${origin})`);
      const csrf = req.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !same(csrf, csrfToken))
        throw new HttpError(403, `refused: the ${CSRF_HEADER} header is missing or wrong (reload the console)`);
      return true;
    },
  };
}

/** A Host header with its port: a browser leaves out the default one (80 for http). */
function withPort(host: string): string {
  return /:\d+$/.test(host) ? host : `${host}:80`;
}

/** In constant time, of the length too: digests of one size are compared, never the texts. */
function same(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function bearer(req: IncomingMessage): string | undefined {
  // The scheme's name is case-insensitive (RFC 9110 11.1): `bearer <token>` was refused.
  const auth = req.headers.authorization;
  return auth !== undefined && /^bearer /i.test(auth) ? auth.slice(7) : undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
