// Screenshots of the web console for the README: `npm run build && node scripts/console-screenshots.mjs`.
// A throwaway project (`ferry init`, the example import with one reject, an export), `ferry ui` on a
// free loopback port, headless Chromium (Debian's `chromium` on PATH, or FERRY_CHROMIUM) through
// playwright-core; the PNGs go to docs/images/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, process.env.FERRY_DIST ?? 'dist', 'src', 'cli', 'bin.js');
const out = join(root, 'docs', 'images');
const dir = mkdtempSync(join(tmpdir(), 'ferry-screens-'));
const ferry = (...args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ferry ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const browserPath =
  process.env.FERRY_CHROMIUM ?? spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
if (!browserPath) throw new Error('no chromium on PATH (or set FERRY_CHROMIUM)');

ferry('init');
// A few more users than the sample, some of them broken, so that the pages have something to show.
const rows = ['email,first_name,last_name,plan,verified'];
for (let i = 0; i < 400; i++)
  rows.push(
    `${i % 37 === 5 ? `user${i}@broken` : `user${i}@example.com`},Given${i},Family${i},${['free', 'pro', 'enterprise'][i % 3]},${i % 2 ? 'yes' : 'no'}`,
  );
writeFileSync(join(dir, 'pipelines/data/users.csv'), rows.join('\n') + '\n');
ferry('run', 'pipelines/import-users.yaml');
ferry('run', 'pipelines/export-users.yaml');

const ui = spawn(process.execPath, [bin, 'ui', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  ui.stdout.on('data', (d) => {
    text += d;
    const m = /(http:\/\/\S+\/)/.exec(text);
    if (m) resolve(m[1]);
  });
  ui.once('exit', (code) => reject(new Error(`ferry ui exited ${code}`)));
});
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  mkdirSync(out, { recursive: true });
  const shot = (name) => page.screenshot({ path: join(out, `console-${name}.png`) });

  await page.goto(`${url}#/jobs`);
  await page.locator('#jobs tbody tr[data-job]').first().waitFor();
  await page.waitForTimeout(300);
  await shot('jobs');

  const job = await page.locator('#jobs tbody tr[data-job] a', { hasText: 'import-users' }).first().textContent();
  await page.goto(`${url}#/jobs/${encodeURIComponent(job)}`);
  await page.locator('[data-test="reject"]').first().waitFor();
  await shot('job');

  await page.goto(`${url}#/run`);
  await page.locator('#upload-input').setInputFiles(join(dir, 'pipelines/data/users.csv'));
  await page.locator('#upload-status.ok').waitFor();
  await page.locator('#dry-run-button').click();
  await page.locator('#dry-run-counts').waitFor();
  await shot('run');

  await page.goto(`${url}#/export`);
  await page.locator('#export-name').fill('pro-users');
  await page.locator('#export-query').fill('email_verified:true AND user_metadata.plan:pro');
  for (const column of ['nickname', 'picture', 'connection', 'updated_at'])
    await page.locator(`#export-columns tr[data-column="${column}"] [data-test="col-remove"]`).click();
  await page.locator('#add-computed').click();
  await page.locator('[data-test="col-header"]').last().fill('display_name');
  await page.locator('#export-count:not([disabled])').waitFor();
  await page.locator('#export-preview').click();
  await page.locator('#preview-text').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'console-export.png'), fullPage: true });
} finally {
  await browser.close();
  ui.kill('SIGINT');
  await new Promise((resolve) => ui.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
