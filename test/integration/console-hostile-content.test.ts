import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { TestProject } from '../helpers/project.js';

/**
 * The console in Chromium over hostile text: markup in source records (shown back in reject
 * messages and values), in a pipeline's file name and description. None of it may run, and the
 * page's own drawing must survive its CSP (no inline style).
 */
describe.skipIf(!chromiumPath)(`ferry ui over hostile content${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`, () => {
  let p: TestProject;
  let ui: RunningConsole;
  let browser: Browser;
  let page: Page;
  let job: string;
  const blocked: string[] = [];

  beforeAll(async () => {
    p = new TestProject();
    p.write('pipelines/data/users.csv', 'email,name\n"a<script>window.__xss=1</script>@x.com","<img src=x onerror=window.__xss=2>"\nok@example.com,Ok\n');
    const pipeline = (name: string) =>
      `name: ${name}\ndescription: '<img src=x onerror=window.__xss=3>'\nsource: { file: data/users.csv }\ntarget: { connection: users, key: [email], upsert: true }\ncolumns: { email: email, name: name }\nvalidate: { schema: user, rules: [ { check: "$length(name) < 5", message: "<b onmouseover=window.__xss=4>bad</b> name" } ] }\n`;
    p.write('pipelines/imp<img src=x onerror=window.__xss=5>.yaml', pipeline('hostile'));
    p.write('pipelines/imp.yaml', pipeline('imp'));
    const run = p.run('pipelines/imp.yaml');
    expect(run.code, run.stderr).toBe(0);
    job = run.report.job;
    ui = await startConsole(p.dir);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => void (m.type() === 'error' && m.text().includes('Content Security Policy') && blocked.push(m.text())));
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    p?.cleanup();
  });

  it('runs none of the markup on any page, and shows it as text', async () => {
    for (const hash of ['#/jobs', `#/jobs/${job}`, '#/pipelines', '#/run']) {
      await page.goto(`${ui.url}${hash}`);
      await page.waitForLoadState('networkidle');
      await page.mouse.move(300, 300);
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss), hash).toBeUndefined();
      expect(await page.locator('#main img, #main b, #main script').count(), hash).toBe(0);
    }
    await page.goto(`${ui.url}#/pipelines`);
    await page.getByText('pipelines/imp<img src=x onerror=window.__xss=5>.yaml').waitFor({ timeout: 30_000 });
  });

  it('fills the progress bar of a finished job: its width is not an inline style the CSP drops', async () => {
    await page.goto(`${ui.url}#/jobs`);
    const bar = page.locator('[data-test="progress"] .bar').first();
    await bar.waitFor({ timeout: 30_000 });
    // Measured again until both boxes are there: the live list may redraw the row between lookups.
    const widths = async (): Promise<[number, number] | null> => {
      const [outer, inner] = await Promise.all([bar.boundingBox(), bar.locator('span').boundingBox()]);
      return outer && inner ? [outer.width, inner.width] : null;
    };
    let measured = await widths();
    for (const end = Date.now() + 30_000; measured === null && Date.now() < end;) measured = await widths();
    expect(measured, 'the progress bar stays on the page long enough to be measured').not.toBeNull();
    const [outer, inner] = measured!;
    expect(outer).toBeGreaterThan(0);
    expect(inner).toBeCloseTo(outer, 0);
    expect(blocked).toEqual([]);
  });
});
