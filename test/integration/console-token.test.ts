import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { anonymousFetch } from '../helpers/console-auth.js';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry ui` on loopback without FERRY_UI_TOKEN asked for no credential: any other local user or
 * process (a shared box, a container sidecar) could read the rejected rows, download exports, start
 * imports and roll jobs back. It now makes a token of its own, printed only in the URL to open.
 */

const PRINTED = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)$/;

/** Every file under `dir`, as bytes (the journal is SQLite: a token in it is in its bytes). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }));
}

describe('ferry ui on loopback without FERRY_UI_TOKEN', () => {
  let p: TestProject;
  let ui: RunningConsole;

  beforeAll(async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    ui = await startConsole(p.dir, [], { FERRY_UI_TOKEN: '' });
  });

  afterAll(async () => {
    expect(await ui?.stop()).toBe(0);
    p?.cleanup();
  });

  it('prints the URL to open with a random token of at least 128 bits, a new one each start', async () => {
    const [, port, token] = PRINTED.exec(ui.printed) ?? [];
    expect(port, ui.stdout()).toBe(new URL(ui.url).port);
    expect(Buffer.from(token!, 'base64url').length).toBeGreaterThanOrEqual(16);
    const other = await startConsole(p.dir, [], { FERRY_UI_TOKEN: '' });
    try {
      expect(other.token).toBeDefined();
      expect(other.token).not.toBe(token);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });

  it('refuses every request without its token with a 401 that says to open the printed URL', async () => {
    for (const path of ['', 'app.js', 'api/jobs', 'api/pipelines', 'api/events', 'api/connections', 'api/jobs/x/download/rejects.csv']) {
      const res = await anonymousFetch(`${ui.url}${path}`);
      const body = await res.text();
      expect(res.status, `${path}: ${body}`).toBe(401);
      expect(body, path).toContain('open the URL that `ferry ui` printed');
      expect(body).not.toContain(ui.token!);
      expect(body).not.toMatch(/\n\s+at /); // no stack
    }
    const post = await anonymousFetch(`${ui.url}api/export/save`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(401);
    const wrong = 'x'.repeat(ui.token!.length);
    expect((await anonymousFetch(`${ui.url}api/jobs`, { headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
    expect((await anonymousFetch(`${ui.url}api/jobs`, { headers: { cookie: `ferry_ui_token=${ui.token}` } })).status).toBe(401); // the name is the port's
    const login = await anonymousFetch(`${ui.url}?token=${wrong}`, { headers: { accept: 'text/html' } });
    expect(login.status).toBe(401);
    expect(login.headers.get('set-cookie')).toBeNull();
    expect(login.headers.get('content-type')).toContain('text/html');
    const page = await login.text();
    expect(page).toContain('open the URL that `ferry ui` printed');
    expect(page).not.toContain(wrong);
    // With it: a Bearer header, or the cookie its URL sets.
    expect((await anonymousFetch(`${ui.url}api/jobs`, { headers: { authorization: `Bearer ${ui.token}` } })).status).toBe(200);
    expect((await anonymousFetch(`${ui.url}api/jobs`, { headers: { authorization: `bearer ${ui.token}` } })).status).toBe(200); // any case
    const opened = await anonymousFetch(ui.printed);
    expect(opened.status).toBe(200);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^ferry_ui_token_${new URL(ui.url).port}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect((await anonymousFetch(`${ui.url}api/jobs`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  });

  it('keeps the token out of the job folder, the journal, its log and the process environment', async () => {
    const auth = { authorization: `Bearer ${ui.token}` };
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await anonymousFetch(ui.url, { headers: auth })).text())![1]!;
    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await anonymousFetch(`${ui.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(json)).toBe(200);
      return json;
    };
    const dry = await post('api/runs/dry-run', { pipeline: 'pipelines/import-users.yaml' });
    const { job } = (await post('api/runs', { pipeline: 'pipelines/import-users.yaml', dryRun: dry['id'] })) as { job: string };
    await expect
      .poll(async () => ((await (await anonymousFetch(`${ui.url}api/jobs/${job}`, { headers: auth })).json()) as { status: string }).status, {
        timeout: 30_000,
      })
      .toBe('succeeded');
    // Requests whose query holds the token, refused or failing: none of it is kept.
    await anonymousFetch(`${ui.url}api/jobs/nothing?token=${ui.token}`, { headers: auth });
    await anonymousFetch(`${ui.url}api/nothing?token=${ui.token}`);
    const files = filesUnder(p.dir);
    expect(files.some((f) => f.path.includes(job))).toBe(true); // the job folder is among them
    for (const { path, bytes } of files) expect(bytes.includes(ui.token!), path).toBe(false);
    expect(ui.stderr()).not.toContain(ui.token!);
    // Printed once, in the URL line.
    expect(ui.stdout().split(ui.token!)).toHaveLength(2);
    expect(ui.stdout()).toContain(`ferry ui: ${ui.printed} `);
    expect(readFileSync(`/proc/${ui.child.pid}/environ`).includes(ui.token!)).toBe(false);
  });
});

describe.skipIf(!chromiumPath)(`ferry ui token in Chromium${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`, () => {
  let p: TestProject;
  let browser: Browser;
  const consoles: RunningConsole[] = [];

  beforeAll(async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const ui of consoles) expect(await ui.stop()).toBe(0);
    p?.cleanup();
  });

  const start = async (env: Record<string, string> = { FERRY_UI_TOKEN: '' }): Promise<RunningConsole> => {
    const ui = await startConsole(p.dir, [], env);
    consoles.push(ui);
    return ui;
  };

  it('shows the 401 page without the token, and the console from the printed URL', async () => {
    const ui = await start();
    // A context of its own: launchChromium's pages open the consoles' URLs by themselves.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const refused = await page.goto(`${ui.url}#/pipelines`);
      expect(refused!.status()).toBe(401);
      expect(await page.locator('body').textContent()).toContain('open the URL that `ferry ui` printed');
      await page.goto(ui.printed);
      await page.locator('#page-jobs').waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).search).toBe(''); // the token is not left in the address bar
      await page.goto(`${ui.url}#/pipelines`);
      await expect.poll(() => page.locator('body').textContent(), { timeout: 30_000 }).toContain('pipelines/import-users.yaml');
      const [cookie] = await context.cookies(ui.url);
      expect(cookie).toMatchObject({ name: `ferry_ui_token_${new URL(ui.url).port}`, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await context.close();
    }
  });

  it('two consoles on two ports of one host: each keeps its own cookie, neither takes the other', async () => {
    // Given tokens: each console's login is the same URL whether it made its token or was given one.
    const a = await start({ FERRY_UI_TOKEN: 'the-first-console-token' });
    const b = await start({ FERRY_UI_TOKEN: 'the-second-console-token' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${a.url}?token=the-first-console-token`);
      await page.locator('#page-jobs').waitFor({ timeout: 30_000 });
      await page.goto(`${b.url}?token=the-second-console-token`);
      await page.locator('#page-jobs').waitFor({ timeout: 30_000 });
      // Logging in to b did not log out of a.
      expect((await context.request.get(`${a.url}api/jobs`)).status()).toBe(200);
      expect((await context.request.get(`${b.url}api/jobs`)).status()).toBe(200);
    } finally {
      await context.close();
    }
  });

  it("refuses another port's cookie, even when both consoles were given the same FERRY_UI_TOKEN", async () => {
    const token = 'one-token-for-both-consoles';
    const a = await start({ FERRY_UI_TOKEN: token });
    const b = await start({ FERRY_UI_TOKEN: token });
    expect(a.stdout() + a.stderr()).not.toContain(token); // a given token is never printed
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${a.url}?token=${token}`);
      await page.locator('#page-jobs').waitFor({ timeout: 30_000 });
      // The browser sends a's cookie to b too (cookies are not kept apart by port): b does not take it.
      expect((await context.request.get(`${a.url}api/jobs`)).status()).toBe(200);
      expect((await context.request.get(`${b.url}api/jobs`)).status()).toBe(401);
      expect((await page.goto(b.url))!.status()).toBe(401);
    } finally {
      await context.close();
    }
  });
});
