import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';

/** The header a state-changing request must carry: the page's own per-process token. */
export const CSRF_HEADER = 'x-ferry-csrf';
const TOKEN_COOKIE = 'ferry_ui_token';

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
 * Every request: the access token when one is set (cookie, `Authorization: Bearer`, or `?token=`
 * once, which sets the cookie), and the Host header naming this server (a page of another site
 * that resolves its own name to 127.0.0.1 — DNS rebinding — is refused). No cross-site Sec-Fetch-Site
 * but on the page itself (a link to it). Every request that is not GET or HEAD: no cross-site Origin
 * either, and the CSRF header matching the page's token.
 */
export function createGuard(options: { token: string | undefined; host: string; port: () => number }): Guard {
  const csrfToken = randomBytes(24).toString('base64url');
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
      if (options.token !== undefined) {
        const given = url.searchParams.get('token');
        if (given !== null && req.method === 'GET' && url.pathname === '/') {
          if (!same(given, options.token)) throw new HttpError(401, 'wrong token');
          // A page that moves on to `/` itself, not a redirect: a browser sends no SameSite=Strict
          // cookie on a navigation another site's page started (a link in a chat), redirects and
          // reloads included; the page's own navigation is same-site and carries it.
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
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
        const presented = bearer(req) ?? cookie(req, TOKEN_COOKIE);
        if (presented === undefined || !same(presented, options.token))
          throw new HttpError(401, 'this console needs its token: open it as /?token=<FERRY_UI_TOKEN>');
      }
      const site = req.headers['sec-fetch-site'];
      const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
      if (req.method === 'GET' || req.method === 'HEAD') {
        // Another site's page may link to the console (its page, `/`), not have the browser fetch the
        // rest: an <img> of /api/pipelines ran every pipeline's tests, of a rollback check queried the
        // store, each time that page asked, and a status or timing told it which jobs exist.
        if (crossSite && url.pathname !== '/') throw new HttpError(403, `cross-site request refused (Sec-Fetch-Site: ${site})`);
        return true;
      }
      if (crossSite) throw new HttpError(403, `cross-site request refused (Sec-Fetch-Site: ${site})`);
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

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
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
