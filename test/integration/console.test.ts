import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, NO_CHROMIUM, startConsole, type RunningConsole } from '../helpers/browser.js';
import { runFerry } from '../helpers/cli.js';
import { buildAndRunExport, importExampleUsers, retryRejects, rollBack } from '../helpers/console-flows.js';
import { TestProject } from '../helpers/project.js';

/**
 * Issue 21: the web console driven in real headless Chromium against `ferry ui` on the embedded
 * engine, in a project made by `ferry init`: upload → dry run → import → rejects → rollback, the
 * export builder against `ferry run` of the pipeline it saves, and the console's refusals.
 */

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
    expect(code, `ferry ui stderr:\n${ui?.stderr() ?? ''}`).toBe(0);
    p?.cleanup();
  });

  // Each step of a flow waits up to 60 s; the flow's own limit is above that, so a step that stalls
  // fails as itself, with what the console printed (in CI these flows once ran past 60 s in all).
  const FLOW = { timeout: 150_000 };
  const withConsoleLog = async (flow: () => Promise<void>): Promise<void> => {
    try {
      await flow();
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ferry ui stderr:\n${ui.stderr()}`, { cause: err });
    }
  };

  it('uploads the example users file, shows the dry run, imports it with progress to 100%, filters and downloads the rejects', FLOW, async () => {
    await withConsoleLog(async () => {
      importJob = await importExampleUsers(page, ui.url, p);
    });
  });

  it('retries the rejected record as a new job', FLOW, async () => {
    expect(importJob, 'the import flow above did not finish').toBeDefined();
    await withConsoleLog(() => retryRejects(page, ui.url, importJob));
  });

  it('builds an export whose live count is what `ferry run` of the saved pipeline exports, runs it and downloads the file', FLOW, async () => {
    await withConsoleLog(() => buildAndRunExport(page, ui.url, p, 'verified-users'));
  });

  it('rolls the import back after showing what the rollback check found', FLOW, async () => {
    expect(importJob, 'the import flow above did not finish').toBeDefined();
    await withConsoleLog(() => rollBack(page, ui.url, p, importJob));
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

  it('draws the progress bar of a job that ended before the live feed listed it', FLOW, async () => {
    const { code, report } = p.run('pipelines/import-users.yaml');
    expect(code).toBe(0);
    const late = await browser.newPage();
    try {
      // The live feed arrives 2 s after the job page has loaded the (already ended) job.
      await late.route('**/api/events', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await route.continue();
      });
      // The new page logged in and sits on the console with its feed open; from there the job's URL
      // (another #) would not load the page again, and the feed would not be late.
      await late.goto('about:blank');
      await late.goto(`${ui.url}#/jobs/${encodeURIComponent(report.job)}`);
      await late.locator('h2 [data-test="status"]', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
      await late.locator('[data-test="progress"]').first().waitFor({ timeout: 30_000 });
      expect(await late.locator('[data-test="progress"]').first().textContent()).toContain('100%');
    } finally {
      await late.close();
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

  // It served the network over plain HTTP without a word: the token and every page's users' data travel unencrypted.
  it('warns that a non-loopback console is plain HTTP, token and data unencrypted', async () => {
    const p = new TestProject();
    const ui = await startConsole(p.dir, ['--host', '0.0.0.0'], { FERRY_UI_TOKEN: 'a-long-enough-test-token' });
    try {
      await expect.poll(() => ui.stderr(), { timeout: 10_000 }).toContain('plain HTTP');
      expect(ui.stderr()).toContain('TLS');
    } finally {
      expect(await ui.stop()).toBe(0);
      p.cleanup();
    }
  });

  it('says so when the port is taken, naming --port (exit 2)', async () => {
    const p = new TestProject();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = holder.address() as AddressInfo;
      const result = runFerry(['ui', '--port', String(port)], { cwd: p.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE (another program has the port`);
      expect(result.stderr).toContain('choose one with --port');
    } finally {
      holder.close();
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
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('http-equiv="refresh" content="0; url=/"');
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
      expect(await upload('../../ferry.yaml', 'a,b\n1,2\n')).toEqual({
        status: 400,
        body: { error: 'refused file name "../../ferry.yaml": no path separators or control characters' },
      });
      expect(await upload('users\u0000.csv', 'a\n')).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('refused file name "users\\x00.csv"') },
      });
      expect(await upload('run.sh', '#!/bin/sh\n')).toEqual({ status: 400, body: { error: '"run.sh": upload a .csv, .json or .ndjson file' } });
      expect(await upload('users.csv', Buffer.from([0x61, 0x00, 0x62]))).toEqual({
        status: 400,
        body: { error: '"users.csv" is not a text file (it holds NUL bytes); upload CSV, JSON or NDJSON' },
      });
      expect((await upload('big.csv', 'x'.repeat(2000))).status).toBe(413);
      const ok = await upload('users.csv', 'email\nx@example.com\n');
      expect(ok.status).toBe(200);
      // A generated name (and the list of the jobs that read it), nothing else.
      expect(readdirSync(join(p.dir, '.ferry/uploads')).sort()).toEqual([`${ok.body.upload}.csv`, `${ok.body.upload}.jobs`]);

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
  const draft = JSON.stringify({
    name: 'stolen',
    connection: 'users',
    query: '*',
    sort: null,
    format: 'csv',
    columns: [{ header: 'email', expression: 'email' }],
  });
  // text/plain sends name=value: the name opens the JSON, the value closes it.
  const html = `<form method="post" enctype="text/plain" action="${consoleUrl}api/export/save"><input type="hidden" name='{"draft":${draft.replaceAll("'", '&#39;')},"pad":"' value='"}'><button>win a prize</button></form>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('ferry ui pipelines', () => {
  it('lists each pipeline with its validation and its `ferry test` result; test files are not pipelines', async () => {
    const p = new TestProject();
    p.write('pipelines/p.yaml', "source: { file: users.json }\ntarget: { connection: users }\ncolumns:\n  email: '$lowercase(Email)'\n");
    p.write(
      'pipelines/p.test.yaml',
      'tests:\n' +
        '  - name: lower-cased\n    input: { Email: Ada@Example.com }\n    expect: { row: { email: ada@example.com } }\n' +
        '  - name: wrong on purpose\n    input: { Email: Bob@Example.com }\n    expect: { row: { email: someone@example.com } }\n',
    );
    p.write('pipelines/q.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    p.write('pipelines/users.json', [{ Email: 'Ada@Example.com' }]);
    const ui = await startConsole(p.dir);
    try {
      const listed = (await (await fetch(`${ui.url}api/pipelines`)).json()) as {
        file: string;
        diagnostics: string[];
        tests: { total: number; failed: string[] } | null;
      }[];
      expect(listed.map((e) => e.file)).toEqual(['pipelines/p.yaml', 'pipelines/q.yaml']);
      const [tested, untested] = listed;
      expect(listed.map((e) => e.diagnostics)).toEqual([[], []]);
      expect(tested!.tests!.total).toBe(2);
      expect(tested!.tests!.failed).toHaveLength(1);
      expect(tested!.tests!.failed[0]).toContain(
        'FAIL pipelines/p.test.yaml:5 wrong on purpose\n       email: expected "someone@example.com", got "bob@example.com"',
      );
      expect(untested!.tests).toBeNull();
    } finally {
      expect(await ui.stop()).toBe(0);
      p.cleanup();
    }
  });

  it('says a test file that is a named pipe, a folder or a broken link cannot be read, instead of waiting on it', async () => {
    const p = new TestProject();
    for (const name of ['fifo', 'folder', 'broken']) p.write(`pipelines/${name}.yaml`, 'source: { file: users.json }\ntarget: { connection: users }\n');
    p.write('pipelines/users.json', [{ Email: 'Ada@Example.com' }]);
    execFileSync('mkfifo', [join(p.dir, 'pipelines/fifo.test.yaml')]);
    mkdirSync(join(p.dir, 'pipelines/folder.test.yaml'));
    symlinkSync('gone.test.yaml', join(p.dir, 'pipelines/broken.test.yaml'));
    const ui = await startConsole(p.dir);
    try {
      const res = await fetch(`${ui.url}api/pipelines`, { signal: AbortSignal.timeout(20_000) });
      const listed = (await res.json()) as { file: string; tests: { total: number; failed: string[] } | null }[];
      expect(Object.fromEntries(listed.map((e) => [e.file, e.tests]))).toEqual({
        'pipelines/broken.yaml': { total: 0, failed: ['pipelines/broken.test.yaml the test file is a symbolic link to gone.test.yaml, which does not exist'] },
        'pipelines/fifo.yaml': { total: 0, failed: ['pipelines/fifo.test.yaml the test file is a named pipe, not a file'] },
        'pipelines/folder.yaml': { total: 0, failed: ['pipelines/folder.test.yaml the test file is a directory, not a file'] },
      });
    } finally {
      expect(await ui.stop()).toBe(0);
      p.cleanup();
    }
  });
});
