import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../helpers/browser.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * The files the console serves and keeps: an export's output is served only as the regular file
 * the job wrote inside the project (never through a link put at its path); an upload is streamed
 * to disk, refused whole past the size limit, and deleted once no job needs it.
 */
describe('ferry ui files', () => {
  let p: TestProject;
  let ui: RunningConsole | undefined;
  const others: string[] = [];
  afterEach(async () => {
    if (ui) expect(await ui.stop(), ui.stderr()).toBe(0);
    ui = undefined;
    p?.cleanup();
    for (const dir of others.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an export's output that was replaced by a link, to a file outside the project or inside it", async () => {
    p = new TestProject();
    seed(p);
    p.write('p.yaml', exportPipeline({ file: 'out/users.csv' }));
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    ui = await startConsole(p.dir);
    const download = () => fetch(`${ui!.url}api/jobs/${report.job}/download/output`).then(async (r) => ({ status: r.status, text: await r.text() }));
    expect(await download()).toMatchObject({ status: 200, text: expect.stringContaining('user_id,given_name') });

    const outside = mkdtempSync(join(tmpdir(), 'ferry-secret-'));
    others.push(outside);
    writeFileSync(join(outside, 'secret.txt'), 'the root password\n');
    rmSync(join(p.dir, 'out/users.csv'));
    symlinkSync(join(outside, 'secret.txt'), join(p.dir, 'out/users.csv'));
    const linked = await download();
    expect(linked.status).toBe(403);
    expect(JSON.parse(linked.text)).toEqual({
      error: `refused: the output of job ${report.job}, users.csv, is a symbolic link; only the file the job wrote is served`,
    });
    expect(linked.text).not.toContain('root password');
    const page = (await (await fetch(`${ui.url}api/jobs/${report.job}`)).json()) as { artifacts: string[] };
    expect(page.artifacts).not.toContain('output');

    // A link to another file of the project is refused the same way.
    rmSync(join(p.dir, 'out/users.csv'));
    symlinkSync(join(p.dir, 'seed/users.json'), join(p.dir, 'out/users.csv'));
    expect((await download()).status).toBe(403);

    // The output's folder replaced by a link leading out of the project.
    rmSync(join(p.dir, 'out'), { recursive: true });
    writeFileSync(join(outside, 'users.csv'), 'the root password\n');
    symlinkSync(outside, join(p.dir, 'out'));
    const escaped = await download();
    expect(escaped.status).toBe(403);
    expect(escaped.text).toContain('is not inside the project folder');
  }, 60_000);

  // The job folder's real path was the bound: a job folder replaced by a link (or, on Temporal, a memo naming any folder) served what was there.
  it('refuses the files of a job whose folder leads out of the state dir', async () => {
    p = new TestProject();
    seed(p);
    const job = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    const outside = mkdtempSync(join(tmpdir(), 'ferry-secret-'));
    others.push(outside);
    const jobDir = join(p.dir, '.ferry/jobs', job);
    renameSync(jobDir, join(outside, 'job'));
    symlinkSync(join(outside, 'job'), jobDir);
    writeFileSync(join(outside, 'job', 'rejects.ndjson'), 'the root password\n');
    writeFileSync(join(outside, 'job', 'backup.ndjson'), 'the root password\n');
    ui = await startConsole(p.dir);
    for (const path of ['download/rejects.ndjson', 'download/rejects.csv', 'download/backup.ndjson', 'rejects']) {
      const r = await fetch(`${ui.url}api/jobs/${job}/${path}`);
      const text = await r.text();
      expect(r.status, path).toBe(403);
      expect(JSON.parse(text), path).toEqual({
        error: `refused: the folder of job ${job} is not inside the state dir's jobs folder (.ferry/jobs): .ferry/jobs/${job} is a link leading out`,
      });
    }
  }, 60_000);

  // Each download a client gave up on waited for a 'drain' that never came, holding its file open for good.
  it.runIf(existsSync('/proc/self/fd'))(
    'closes the file of a download the client gave up on',
    async () => {
      p = new TestProject();
      seed(p);
      const job = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
      const line = JSON.stringify({ row: 1, record: { email: 'a@x.io' }, errors: [{ code: 'FORMAT', path: 'email', message: 'bad' }] }) + '\n';
      const report = join(p.dir, '.ferry/jobs', job, 'rejects.ndjson');
      writeFileSync(report, line.repeat(Math.ceil(30e6 / line.length)));
      ui = await startConsole(p.dir);
      const fds = `/proc/${ui.child.pid}/fd`;
      const target = (fd: string): string | undefined => {
        try {
          return readlinkSync(join(fds, fd));
        } catch {
          return undefined; // closed meanwhile
        }
      };
      const openReports = (): number => readdirSync(fds).filter((fd) => target(fd) === realpathSync(report)).length;
      for (const kind of ['rejects.ndjson', 'rejects.csv', 'rejects.ndjson', 'rejects.csv', 'rejects.ndjson', 'rejects.csv']) {
        const aborts = new AbortController();
        const res = await fetch(`${ui.url}api/jobs/${job}/download/${kind}`, { signal: aborts.signal });
        expect(res.status).toBe(200);
        await res.body!.getReader().read();
        aborts.abort();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(openReports()).toBe(0);
      // The console still answers, and a whole download still comes whole.
      const whole = await fetch(`${ui.url}api/jobs/${job}/download/rejects.ndjson`);
      expect((await whole.text()).length).toBe(line.length * Math.ceil(30e6 / line.length));
    },
    120_000,
  );

  /** The console's CSRF token, from its page. */
  const csrfOf = async (url: string): Promise<string> => /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(url)).text())![1]!;
  const uploadsIn = (dir: string): string[] => (existsSync(join(dir, '.ferry/uploads')) ? readdirSync(join(dir, '.ferry/uploads')).sort() : []);

  it('streams an upload to disk, refuses one past the limit with 413 (with or without its length said) and keeps nothing of a refused one', async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    ui = await startConsole(p.dir, ['--max-upload', '1']); // 1,048,576 bytes
    const csrf = await csrfOf(ui.url);
    const post = (name: string, body: RequestInit['body'], more: RequestInit = {}) =>
      fetch(`${ui!.url}api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body, ...more }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: string; upload?: string; bytes?: number },
      }));

    // A body sent in chunks with no length: the first is on disk before the last is sent.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const chunked = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(Buffer.from('email\n' + 'a@example.com\n'.repeat(1000)));
        await held;
        controller.enqueue(Buffer.from('b@example.com\n'));
        controller.close();
      },
    });
    const streaming = post('users.csv', chunked, { duplex: 'half' } as RequestInit);
    await expect.poll(() => uploadsIn(p.dir).map((f) => f.replace(/^[0-9a-f]{24}/, 'ID')), { timeout: 10_000 }).toEqual(['ID.partial']);
    const partial = uploadsIn(p.dir)[0]!;
    await expect.poll(() => statSync(join(p.dir, '.ferry/uploads', partial)).size).toBe(6 + 14 * 1000);
    release();
    const streamed = await streaming;
    expect(streamed).toMatchObject({ status: 200, body: { bytes: 6 + 14 * 1001 } });
    expect(uploadsIn(p.dir)).toEqual([`${streamed.body.upload}.csv`, `${streamed.body.upload}.jobs`]);
    for (const file of uploadsIn(p.dir)) rmSync(join(p.dir, '.ferry/uploads', file));

    const limit = 1024 * 1024;
    expect(await post('big.csv', 'x'.repeat(limit + 1))).toEqual({
      status: 413,
      body: { error: `"big.csv" is too large: ${limit + 1} bytes, the limit is ${limit} (ferry ui --max-upload)` },
    });
    // No length said: refused once past the limit, what was written of it deleted.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(Buffer.alloc(64 * 1024, 'x'));
      },
    });
    expect(await post('big.csv', endless, { duplex: 'half' } as RequestInit)).toEqual({
      status: 413,
      body: { error: `"big.csv" is too large: more than ${limit} bytes, the limit (ferry ui --max-upload)` },
    });
    expect(await post('bin.csv', Buffer.from([0x61, 0x00, 0x62]))).toMatchObject({ status: 400 });
    expect(await post('empty.csv', '')).toMatchObject({ status: 400, body: { error: '"empty.csv" is empty' } });
    expect(uploadsIn(p.dir)).toEqual([]);
    // The server still answers.
    expect((await fetch(`${ui.url}api/jobs`)).status).toBe(200);
  }, 60_000);

  it('deletes an upload once its job succeeded with no rejects; keeps one whose job has rejects to retry', async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    ui = await startConsole(p.dir);
    const csrf = await csrfOf(ui.url);
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${ui!.url}api/${path}`, {
        method: 'POST',
        headers: { 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const upload = async (text: string): Promise<string> => {
      const res = await fetch(`${ui!.url}api/uploads?name=users.csv`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: text });
      return ((await res.json()) as { upload: string }).upload;
    };
    const importFrom = async (id: string): Promise<string> => {
      const pipeline = 'pipelines/import-users.yaml';
      const dry = await api('runs/dry-run', { pipeline, upload: id });
      const started = await api('runs', { pipeline, upload: id, dryRun: dry['id'] });
      const job = started['job'] as string;
      expect(job, JSON.stringify(started)).toBeDefined();
      await expect
        .poll(async () => ((await (await fetch(`${ui!.url}api/jobs/${job}`)).json()) as { status: string }).status, { timeout: 30_000 })
        .toBe('succeeded');
      return job;
    };
    const example = readFileSync(join(p.dir, 'pipelines/data/users.csv'), 'utf8');
    const valid = example
      .split('\n')
      .filter((line) => !line.includes('alan.turing'))
      .join('\n');

    const clean = await upload(valid);
    await importFrom(clean);
    await expect.poll(() => uploadsIn(p.dir), { timeout: 10_000 }).toEqual([]);
    expect(await api('runs/dry-run', { pipeline: 'pipelines/import-users.yaml', upload: clean })).toEqual({
      error: `no upload ${clean} (an upload is deleted once the jobs that read it are done with it)`,
    });

    const withReject = await upload(example);
    const job = await importFrom(withReject);
    // Kept: "retry rejects" reads the rejected row from it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(uploadsIn(p.dir)).toEqual([`${withReject}.csv`, `${withReject}.jobs`]);
    const retried = await api(`jobs/${job}/retry-rejects`, {});
    expect(retried).toMatchObject({ rows: 1 });
    // The dry runs' folders (every change's before and after: users' data) were not kept.
    expect(readdirSync(join(p.dir, '.ferry/dry-runs'))).toEqual([]);
  }, 90_000);

  it("keeps nothing of an export builder's preview: its rows (users' data) and its draft are deleted once shown", async () => {
    p = new TestProject();
    seed(p);
    ui = await startConsole(p.dir);
    const csrf = await csrfOf(ui.url);
    const draft = { name: 'emails', connection: 'users', query: '*', format: 'csv', columns: [{ header: 'email', expression: 'email' }] };
    const res = await fetch(`${ui.url}api/export/preview`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: JSON.stringify({ draft }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toContain('@');
    const left = (dir: string): string[] => (existsSync(join(p.dir, '.ferry/ui', dir)) ? readdirSync(join(p.dir, '.ferry/ui', dir)) : []);
    expect([left('previews'), left('drafts')]).toEqual([[], []]);
  }, 60_000);

  it('keeps no draft the export builder refused: each refused preview or run left a file behind', async () => {
    p = new TestProject();
    seed(p);
    ui = await startConsole(p.dir);
    const csrf = await csrfOf(ui.url);
    const draft = { name: 'emails', connection: 'users', query: '*', format: 'csv', columns: [{ header: 'email', expression: '$$$(' }] };
    for (const route of ['preview', 'run']) {
      const res = await fetch(`${ui.url}api/export/${route}`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: JSON.stringify({ draft }) });
      expect(res.status, route).toBe(422);
    }
    const drafts = join(p.dir, '.ferry/ui/drafts');
    expect(existsSync(drafts) ? readdirSync(drafts) : []).toEqual([]);
  }, 60_000);
});
