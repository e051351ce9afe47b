import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { runFerry } from './cli.js';
import type { TestProject } from './project.js';

/**
 * What an operator does in the console, step by step in the browser, with what must be seen and
 * what the store must hold after each. Shared by the embedded (console.test.ts) and the Temporal
 * (temporal-console.test.ts) suites: the console must work the same on both engines.
 */

const TIMEOUT = 60_000;

/** Users in the store; 0 before anything created its table. */
const storedUsers = (p: TestProject): number =>
  p.rows("SELECT count(*) AS n FROM sqlite_master WHERE name = 'users'")[0]!['n'] === 0 ? 0 : Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);

const statusIs = (page: Page, status: string) => page.locator('h2 [data-test="status"]', { hasText: status }).waitFor({ timeout: TIMEOUT });

/** `ferry init`'s users.csv uploaded, dry-run, imported; its one reject filtered and downloaded. Returns the job id. */
export async function importExampleUsers(page: Page, url: string, p: TestProject): Promise<string> {
  await page.goto(`${url}#/run`);
  await page.locator('#run-pipeline').selectOption('pipelines/import-users.yaml');
  // A hostile name first, through the file picker: refused, said on the page.
  await page.locator('#upload-input').setInputFiles({ name: 'users.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
  await expect.poll(() => page.locator('#upload-status').textContent()).toBe('"users.exe": upload a .csv, .json or .ndjson file');
  // Then the example file, dropped on the page.
  const example = readFileSync(join(p.dir, 'pipelines/data/users.csv'), 'utf8');
  // Evaluated in the page (this file is compiled without the DOM's types).
  const dropped = await page.evaluateHandle(
    `(() => { const t = new DataTransfer(); t.items.add(new File([${JSON.stringify(example)}], 'users.csv', { type: 'text/csv' })); return t; })()`,
  );
  await page.locator('#drop').dispatchEvent('drop', { dataTransfer: dropped });
  await expect.poll(() => page.locator('#upload-status').textContent()).toBe(`users.csv uploaded (${Buffer.byteLength(example)} bytes, csv)`);

  await page.locator('#dry-run-button').click();
  const counts = page.locator('#dry-run-counts');
  await counts.waitFor({ timeout: TIMEOUT });
  expect(await counts.textContent()).toBe('would insert 4would update 0unchanged 0rejected 1of 5');
  expect(await page.locator('#dry-run').textContent()).toContain('row 5: FORMAT email');
  expect(storedUsers(p)).toBe(0); // the dry run wrote nothing

  await page.locator('#start-button').click();
  await page.waitForURL(/#\/jobs\/import-users-/);
  const job = decodeURIComponent(page.url().split('#/jobs/')[1]!);
  await statusIs(page, 'succeeded');
  await expect.poll(() => page.locator('[data-test="progress"]').first().textContent(), { timeout: TIMEOUT }).toContain('100%');
  await expect.poll(() => page.locator('#job-counts').textContent(), { timeout: TIMEOUT }).toBe('5 total · 4 inserted · 0 updated · 0 unchanged · 1 rejected');
  expect(p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email'])).toEqual([
    'ada.lovelace@example.com',
    'claude.shannon@example.com',
    'grace.hopper@example.com',
    'hedy.lamarr@example.com',
  ]);

  // The jobs list shows it too, at 100%.
  await page.goto(`${url}#/jobs`);
  await expect.poll(() => page.locator(`tr[data-job="${job}"]`).textContent(), { timeout: TIMEOUT }).toContain('100%');

  await page.goto(`${url}#/jobs/${encodeURIComponent(job)}`);
  await expect.poll(() => page.locator('#rejects-info').textContent(), { timeout: TIMEOUT }).toBe('1–1 of 1');
  await page.locator('#rejects-code').selectOption('FORMAT');
  await expect
    .poll(() => page.locator('[data-test="reject"]').allTextContents())
    .toEqual(['5FORMATemailis not a valid email address (expected local@domain.tld)']);
  await page.locator('#rejects-path').fill('given_name');
  await expect.poll(() => page.locator('#rejects-info').textContent()).toBe('no rejects');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-artifact="rejects.csv"]').click()]);
  expect(readFileSync((await csv.path())!, 'utf8').split('\r\n')[1]).toMatch(/^5,FORMAT,email,is not a valid email address/);
  const [ndjson] = await Promise.all([page.waitForEvent('download'), page.locator('[data-artifact="rejects.ndjson"]').click()]);
  expect(JSON.parse(readFileSync((await ndjson.path())!, 'utf8').trim())).toMatchObject({ row: 5, record: { email: 'alan.turing@example' } });
  return job;
}

/** An export built on the page: its live count is what `ferry run` of the pipeline it saves exports; run and downloaded. */
export async function buildAndRunExport(page: Page, url: string, p: TestProject, name: string): Promise<void> {
  await page.goto(`${url}#/export`);
  await page.locator('#export-name').fill(name);
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
  const preview = await page.locator('#preview-text').textContent({ timeout: TIMEOUT });
  const previewLines = preview!.trim().split(/\r?\n/);
  expect(previewLines[0]).toBe('id,given_name,family_name,name,email,email_verified,picture,connection,created_at,updated_at,full_name');
  expect(previewLines).toHaveLength(4);
  expect(preview).toContain('Ada Lovelace');

  await page.locator('#export-save').click();
  await page.locator('#saved').waitFor();
  expect(runFerry(['validate', `pipelines/${name}.yaml`], { cwd: p.dir }).code).toBe(0);
  const { code, report } = p.run(`pipelines/${name}.yaml`);
  expect(code).toBe(0);
  expect(report.summary.exported).toBe(3);

  await page.locator('#export-count').click();
  await page.waitForURL(new RegExp(`#/jobs/${name}-`));
  await statusIs(page, 'succeeded');
  const link = page.locator('[data-artifact="output"]');
  await link.waitFor({ timeout: TIMEOUT });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(lines).toHaveLength(1 + 3);
  expect(
    lines
      .slice(1)
      .map((l) => l.split(',')[4])
      .sort(),
  ).toEqual(['ada.lovelace@example.com', 'grace.hopper@example.com', 'hedy.lamarr@example.com']);
}

/** The import rolled back from its page, after the rollback check said what it found. */
export async function rollBack(page: Page, url: string, p: TestProject, job: string): Promise<void> {
  await page.goto(`${url}#/jobs/${encodeURIComponent(job)}`);
  await page.locator('#action-rollback').click({ timeout: TIMEOUT });
  await expect.poll(() => page.locator('#rollback-findings').textContent(), { timeout: TIMEOUT }).toContain('found no row changed since');
  await page.locator('#confirm-yes').click();
  await page.waitForURL(/#\/jobs\/import-users-rollback-/);
  await statusIs(page, 'succeeded');
  expect(storedUsers(p)).toBe(0);
}

/**
 * Retry rejects from the job page: a new job over the one rejected record, which is still invalid —
 * 1 reject of 1 is over the pipeline's max_rejects (25%), so the retry fails, and says so.
 */
export async function retryRejects(page: Page, url: string, job: string): Promise<void> {
  await page.goto(`${url}#/jobs/${encodeURIComponent(job)}`);
  await page.locator('#action-retry').click({ timeout: TIMEOUT });
  expect(await page.locator('#confirm-body').textContent()).toBe(`Run the 1 rejected record(s) of ${job} again through the pipeline as it is now?`);
  await page.locator('#confirm-yes').click();
  await page.waitForURL((u) => u.hash.startsWith('#/jobs/import-users-') && !u.hash.endsWith(encodeURIComponent(job)));
  await statusIs(page, 'failed');
  expect(await page.locator('#job-error').textContent()).toContain('max_rejects');
  await expect.poll(() => page.locator('#job-counts').textContent(), { timeout: TIMEOUT }).toBe('1 total · 0 inserted · 0 updated · 0 unchanged · 1 rejected');
}
