import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * Issue 21: the web console driven in real headless Chromium against `ferry ui` on the embedded
 * engine, in a project made by `ferry init`: upload → dry run → import → rejects → rollback, the
 * export builder against `ferry run` of the pipeline it saves, and the console's refusals.
 */

const STATUS_TIMEOUT = 30_000;

describe.skipIf(!chromiumPath)(`ferry ui in Chromium${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`, () => {
  let p: TestProject;
  let ui: RunningConsole;
  let browser: Browser;
  let page: Page;
  let importJob: string;

  beforeAll(async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    ui = await startConsole(p.dir);
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    const code = await ui?.stop();
    expect(code).toBe(0);
    p?.cleanup();
  });

  const statusIs = (status: string) => page.locator('h2 [data-test="status"]', { hasText: status }).waitFor({ timeout: STATUS_TIMEOUT });

  it('uploads the example users file, shows the dry run, imports it with progress to 100%, filters and downloads the rejects', async () => {
    await page.goto(`${ui.url}#/run`);
    await page.locator('#run-pipeline').selectOption('pipelines/import-users.yaml');
    await page.locator('#upload-input').setInputFiles(join(p.dir, 'pipelines/data/users.csv'));
    await expect.poll(() => page.locator('#upload-status').textContent()).toContain('users.csv uploaded');

    await page.locator('#dry-run-button').click();
    const counts = page.locator('#dry-run-counts');
    await counts.waitFor();
    expect(await counts.textContent()).toBe('would insert 4would update 0unchanged 0rejected 1of 5');
    expect(await page.locator('#dry-run').textContent()).toContain('row 5: FORMAT email');
    expect(p.rows("SELECT count(*) AS n FROM sqlite_master WHERE name = 'users'")[0]!['n']).toBe(0); // the dry run wrote nothing, not even the table

    await page.locator('#start-button').click();
    await page.waitForURL(/#\/jobs\/import-users-/);
    importJob = decodeURIComponent(page.url().split('#/jobs/')[1]!);
    await statusIs('succeeded');
    await expect.poll(() => page.locator('[data-test="progress"]').first().textContent(), { timeout: STATUS_TIMEOUT }).toContain('100%');
    expect(await page.locator('#job-counts').textContent()).toBe('5 total · 4 inserted · 0 updated · 0 unchanged · 1 rejected');
    expect(p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email'])).toEqual([
      'ada.lovelace@example.com',
      'claude.shannon@example.com',
      'grace.hopper@example.com',
      'hedy.lamarr@example.com',
    ]);

    // The jobs list shows it too, at 100%.
    await page.goto(`${ui.url}#/jobs`);
    const row = page.locator(`tr[data-job="${importJob}"]`);
    await expect.poll(() => row.textContent()).toContain('100%');

    await page.goto(`${ui.url}#/jobs/${encodeURIComponent(importJob)}`);
    await expect.poll(() => page.locator('#rejects-info').textContent()).toBe('1–1 of 1');
    await page.locator('#rejects-code').selectOption('FORMAT');
    await expect.poll(() => page.locator('[data-test="reject"]').allTextContents()).toEqual(['5FORMATemailis not a valid email address (expected local@domain.tld)']);
    await page.locator('#rejects-path').fill('given_name');
    await expect.poll(() => page.locator('#rejects-info').textContent()).toBe('no rejects');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-artifact="rejects.csv"]').click()]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\r\n')[1]).toMatch(/^5,FORMAT,email,is not a valid email address/);
    const [ndjson] = await Promise.all([page.waitForEvent('download'), page.locator('[data-artifact="rejects.ndjson"]').click()]);
    expect(JSON.parse(readFileSync((await ndjson.path())!, 'utf8').trim())).toMatchObject({ row: 5, record: { email: 'alan.turing@example' } });
  });

  it('builds an export whose live count is what `ferry run` of the saved pipeline exports, runs it and downloads the file', async () => {
    await page.goto(`${ui.url}#/export`);
    await page.locator('#export-name').fill('verified-users');
    await page.locator('#export-query').fill('email_verified:true');
    await expect.poll(() => page.locator('#export-count').textContent()).toBe('Export 3 users');
    await page.locator('#export-query').fill('email_verified:maybe AND');
    await expect.poll(() => page.locator('#query-error').textContent()).not.toBe('');
    await page.locator('#export-query').fill('email_verified:true');
    await expect.poll(() => page.locator('#export-count').textContent()).toBe('Export 3 users');

    // Columns: rename a default, remove one, add a computed one.
    await page.locator('[data-test="col-header"]').first().fill('id');
    await page.locator('#export-columns tr[data-column="nickname"] [data-test="col-remove"]').click();
    await page.locator('#add-computed').click();
    await page.locator('[data-test="col-header"]').last().fill('full_name');
    await page.locator('#export-preview').click();
    const preview = await page.locator('#preview-text').textContent({ timeout: STATUS_TIMEOUT });
    const previewLines = preview!.trim().split(/\r?\n/);
    expect(previewLines[0]).toBe('id,given_name,family_name,name,email,email_verified,picture,connection,created_at,updated_at,full_name');
    expect(previewLines).toHaveLength(4);
    expect(preview).toContain('Ada Lovelace');

    await page.locator('#export-save').click();
    await page.locator('#saved').waitFor();
    expect(runFerry(['validate', 'pipelines/verified-users.yaml'], { cwd: p.dir }).code).toBe(0);
    const { code, report } = p.run('pipelines/verified-users.yaml');
    expect(code).toBe(0);
    expect(report.summary.exported).toBe(3);

    await page.locator('#export-count').click();
    await page.waitForURL(/#\/jobs\/verified-users-/);
    await statusIs('succeeded');
    const link = page.locator('[data-artifact="output"]');
    await link.waitFor({ timeout: STATUS_TIMEOUT });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 3);
    expect(lines.slice(1).map((l) => l.split(',')[4]).sort()).toEqual(['ada.lovelace@example.com', 'grace.hopper@example.com', 'hedy.lamarr@example.com']);
  });

  it('rolls the import back after showing what the rollback check found', async () => {
    await page.goto(`${ui.url}#/jobs/${encodeURIComponent(importJob)}`);
    await page.locator('#action-rollback').click();
    await expect.poll(() => page.locator('#rollback-findings').textContent()).toContain('found no row changed since');
    await page.locator('#confirm-yes').click();
    await page.waitForURL(/#\/jobs\/import-users-rollback-/);
    await statusIs('succeeded');
    expect(p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(0);
  });

  it('refuses a cross-site POST: a page of another origin cannot save a pipeline', async () => {
    const attacker = await serveAttackerPage(ui.url);
    try {
      const other = await browser.newPage();
      await other.goto(attacker.url);
      await other.locator('button').click();
      await other.waitForURL(`${ui.url}api/export/save`);
      expect(await other.locator('body').textContent()).toContain('cross-site request refused');
      expect(existsSync(join(p.dir, 'pipelines/stolen.yaml'))).toBe(false);
      await other.close();
    } finally {
      await new Promise((resolve) => attacker.server.close(resolve));
    }
  });
});

describe('ferry ui refusals', () => {
  it('refuses to bind anything but loopback without FERRY_UI_TOKEN (exit 2)', () => {
    const p = new TestProject();
    try {
      const result = runFerry(['ui', '--host', '0.0.0.0', '--port', '0'], { cwd: p.dir, env: { FERRY_UI_TOKEN: '' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('refusing to serve the console on 0.0.0.0 without a token: set FERRY_UI_TOKEN');
    } finally {
      p.cleanup();
    }
  });

  it('with FERRY_UI_TOKEN, answers no request that does not present it', async () => {
    const p = new TestProject();
    const token = 'a-long-enough-test-token';
    const ui = await startConsole(p.dir, [], { FERRY_UI_TOKEN: token });
    try {
      expect((await fetch(`${ui.url}api/jobs`)).status).toBe(401);
      expect((await fetch(`${ui.url}api/jobs`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect((await fetch(`${ui.url}api/jobs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const login = await fetch(`${ui.url}?token=${token}`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${ui.url}api/pipelines`, { headers: { cookie } })).status).toBe(200);
    } finally {
      expect(await ui.stop()).toBe(0);
      p.cleanup();
    }
  });
});

describe('ferry ui uploads and downloads', () => {
  it('refuses hostile file names, binary content, oversize files, and any download that is not an artifact of a job', async () => {
    const p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    expect(p.run('pipelines/import-users.yaml').code).toBe(0);
    const job = JSON.parse(p.ferry('jobs', 'list', '--json').stdout.trim()) as { job: string };
    const ui = await startConsole(p.dir, ['--max-upload', '0.001']); // 1,048 bytes
    try {
      const html = await (await fetch(ui.url)).text();
      const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(html)![1]!;
      const upload = async (name: string, body: string | Buffer) => {
        const res = await fetch(`${ui.url}api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body });
        return { status: res.status, body: (await res.json()) as { error?: string; upload?: string } };
      };
      expect(await upload('../../ferry.yaml', 'a,b\n1,2\n')).toEqual({ status: 400, body: { error: 'refused file name "../../ferry.yaml": no path separators or control characters' } });
      expect(await upload('users\u0000.csv', 'a\n')).toMatchObject({ status: 400, body: { error: expect.stringContaining('refused file name "users?.csv"') } });
      expect(await upload('run.sh', '#!/bin/sh\n')).toEqual({ status: 400, body: { error: '"run.sh": upload a .csv, .json or .ndjson file' } });
      expect(await upload('users.csv', Buffer.from([0x61, 0x00, 0x62]))).toEqual({ status: 400, body: { error: '"users.csv" is not a text file (it holds NUL bytes); upload CSV, JSON or NDJSON' } });
      expect((await upload('big.csv', 'x'.repeat(2000))).status).toBe(413);
      const ok = await upload('users.csv', 'email\nx@example.com\n');
      expect(ok.status).toBe(200);
      expect(readdirSync(join(p.dir, '.ferry/uploads'))).toEqual([`${ok.body.upload}.csv`]); // a generated name, nothing else

      const download = (path: string) => fetch(`${ui.url}api/jobs/${path}`).then(async (r) => ({ status: r.status, text: await r.text() }));
      expect((await download(`${job.job}/download/rejects.csv`)).status).toBe(200);
      expect(await download(`${job.job}/download/..%2F..%2Fjournal.db`)).toMatchObject({ status: 404, text: expect.stringContaining('no artifact') });
      expect((await download(`..%2F..%2Fferry.yaml/download/rejects.csv`)).status).toBe(404);
      expect((await download(`${job.job}/download/output`)).status).toBe(404);
    } finally {
      expect(await ui.stop()).toBe(0);
      p.cleanup();
    }
  });
});

/** A page on another origin (127.0.0.1, another port) whose form posts JSON-looking text to the console. */
async function serveAttackerPage(consoleUrl: string): Promise<{ server: Server; url: string }> {
  const draft = JSON.stringify({ name: 'stolen', connection: 'users', query: '*', sort: null, format: 'csv', columns: [{ header: 'email', expression: 'email' }] });
  // text/plain sends name=value: the name opens the JSON, the value closes it.
  const html = `<form method="post" enctype="text/plain" action="${consoleUrl}api/export/save"><input type="hidden" name='{"draft":${draft.replaceAll("'", '&#39;')},"pad":"' value='"}'><button>win a prize</button></form>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
