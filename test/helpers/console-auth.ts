import type { Browser, Page } from 'playwright-core';

/**
 * The consoles the tests started with a token of their own (the one `ferry ui` generates and
 * prints): every console request needs it, and the tests that are about something else should not
 * each have to carry it. Their `fetch` to such a console presents it (`Authorization: Bearer`) unless
 * the request brings its own credential (an Authorization or Cookie header), and each page of a
 * browser from `launchChromium` opens the printed URL first, as the operator does. A console started
 * with FERRY_UI_TOKEN is not here: its tests present the token themselves.
 */
const consoles = new Map<string, { token: string; login: string }>();

/** `fetch` as it is, without the console's token: what another local user or process sends. */
export const anonymousFetch: typeof fetch = globalThis.fetch.bind(globalThis);

/** Until the returned function is called, requests to `url`'s origin present `token`. */
export function trustConsole(url: string, token: string): () => void {
  const origin = new URL(url).origin;
  consoles.set(origin, { token, login: `${origin}/?token=${encodeURIComponent(token)}` });
  return () => void consoles.delete(origin);
}

/** The header presenting the token of the console at `url` (for a request made with node:http). */
export function credentialsFor(url: string): Record<string, string> {
  const known = consoles.get(new URL(url).origin);
  return known ? { authorization: `Bearer ${known.token}` } : {};
}

globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const known = consoles.get(url.origin);
  if (known === undefined) return anonymousFetch(input, init);
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
  if (!headers.has('authorization') && !headers.has('cookie')) headers.set('authorization', `Bearer ${known.token}`);
  return anonymousFetch(input, { ...init, headers });
}) as typeof fetch;

/** Opens the printed URL of each console in `page` (the cookie it sets is what the page then presents). */
export async function logIn(page: Page): Promise<void> {
  for (const [origin, { login }] of consoles) {
    await page.goto(login);
    await page.waitForURL(`${origin}/`);
  }
}

/** Each new page of `browser` logged in to the consoles above. */
export function loggingIn(browser: Browser): Browser {
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await logIn(page);
    return page;
  };
  return browser;
}
