import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { TestProject } from '../helpers/project.js';

/**
 * Opening the console's `/?token=` link from another site's page (a chat, a wiki): the login
 * redirected with a 303, and Chromium does not send a SameSite=Strict cookie on a navigation a
 * cross-site page started, even after the redirect or a reload: the operator got 401 for good.
 */
describe.skipIf(!chromiumPath)(`ferry ui token login from a link${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`, () => {
  const token = 'a-long-enough-test-token';
  let p: TestProject;
  let ui: RunningConsole;
  let browser: Browser;
  let elsewhere: Server;

  beforeAll(async () => {
    p = new TestProject();
    ui = await startConsole(p.dir, [], { FERRY_UI_TOKEN: token });
    // Another site: localhost is not the same site as 127.0.0.1.
    elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<a id="open" href="${ui.url}?token=${token}">the console</a>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    elsewhere?.close();
    expect(await ui?.stop()).toBe(0);
    p?.cleanup();
  });

  it('logs in from a link on another site and shows the console', async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${(elsewhere.address() as AddressInfo).port}/`);
    await page.click('#open');
    await page.locator('#page-jobs').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).search).toBe(''); // the token is not left in the address bar
    expect(await page.locator('meta[name="ferry-csrf"]').count()).toBe(1);
  });
});
