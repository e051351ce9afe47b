import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { UiServer } from '../../src/ui/server.js';
import { trustConsole } from '../helpers/console-auth.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The console's live progress, in process: five tabs watch a job whose batches are slowed down
 * (a pause fail point); they all see it move through percentages with records/s and an ETA to
 * 100%, while the engine is asked for the jobs once per interval for all of them together.
 */

process.env['FERRY_FAILPOINTS'] = 'chunk-before-write=pause:400'; // read when the activities load (below)
const POLL_MS = 200;
const TABS = 5;

interface Row {
  id: string;
  status: string;
  percent: number | null;
  perSecond: number | null;
  eta: string | null;
}

describe('ferry ui live progress', () => {
  let p: TestProject;
  let app: App;
  let server: UiServer;
  let listCalls = 0;
  let firstJob = '';

  beforeAll(async () => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
    p.write('pipelines/data/many.json', generateUsers(3000, 7));
    p.write(
      'pipelines/slow.yaml',
      'name: slow\nsource: { file: data/many.json }\ntarget: { connection: users, key: [email] }\nbatch: { size: 500, parallelism: 1 }\n',
    );
    const [{ loadProject }, { createApp }, { startUiServer }] = await Promise.all([
      import('../../src/project/load-config.js'),
      import('../../src/app.js'),
      import('../../src/ui/server.js'),
    ]);
    const real = createApp(loadProject(p.dir, undefined, process.env), { cwd: p.dir, env: process.env });
    // The same app, with the engine's `list` counted.
    app = {
      ...real,
      async engine(name) {
        const engine = await real.engine(name);
        return { ...engine, name: engine.name, list: (options) => (listCalls++, engine.list(options)) };
      },
    };
    const token = 'console-live-test-token';
    server = await startUiServer({ app, host: '127.0.0.1', port: 0, token, maxUpload: 1024 * 1024, pollMs: POLL_MS, log: () => undefined });
    trustConsole(server.url, token); // this file's fetch presents it
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    p?.cleanup();
  });

  it('streams the progress of a running job to every tab, with records/s and ETA, from one poll per interval', async () => {
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(server.url)).text())![1]!;
    const post = async (path: string, body: unknown): Promise<Record<string, string>> => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, string>;
      expect(res.status, JSON.stringify(json)).toBe(200);
      return json;
    };
    const aborts = new AbortController();
    const seen: Row[][] = Array.from({ length: TABS }, () => []);
    let job = '';
    const tabs = Array.from({ length: TABS }, async (_, tab) => {
      const res = await fetch(`${server.url}api/events`, { signal: aborts.signal });
      const reader = res.body!.getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += Buffer.from(value!).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const rows = JSON.parse(buffer.slice(6, end)) as Row[];
          buffer = buffer.slice(end + 2);
          const row = rows.find((r) => r.id === job);
          if (row) seen[tab]!.push(row);
        }
      }
    });

    const dry = await post('api/runs/dry-run', { pipeline: 'pipelines/slow.yaml' });
    const callsBefore = listCalls;
    const started = Date.now();
    job = (await post('api/runs', { pipeline: 'pipelines/slow.yaml', dryRun: dry['id'] }))['job']!;
    await expect.poll(() => seen.every((rows) => rows.at(-1)?.status === 'succeeded'), { timeout: 60_000, interval: 100 }).toBe(true);
    const seconds = (Date.now() - started) / 1000;
    const calls = listCalls - callsBefore;
    aborts.abort();
    await Promise.allSettled(tabs);

    for (const rows of seen) {
      const moving = rows.filter((r) => r.status === 'running' && r.percent !== null && r.percent > 0 && r.percent < 100);
      expect(moving.length, JSON.stringify(rows)).toBeGreaterThan(0);
      expect(moving[0]!.perSecond).toBeGreaterThan(0);
      expect(moving[0]!.eta).toMatch(/^\d+m\d\ds$/);
      expect(rows.at(-1)!.percent).toBe(100);
    }
    // One poll per interval for all tabs (plus one after the start), not one per tab.
    expect(calls).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / POLL_MS) + 3);
    expect(calls).toBeLessThan(TABS * Math.floor((seconds * 1000) / POLL_MS));
    expect(p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(3000);
    firstJob = job;
  });

  it('shows what the rollback check finds (a row changed since) before a forced rollback', async () => {
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(server.url)).text())![1]!;
    const db = new Database(join(p.dir, '.ferry/users.db'));
    db.prepare("UPDATE users SET given_name = 'Changed' WHERE email = 'user7@example.com'").run();
    db.close();
    const check = (await (await fetch(`${server.url}api/jobs/${firstJob}/rollback-check`)).json()) as { ok: boolean; findings: string };
    expect(check.ok).toBe(false);
    expect(check.findings).toContain(
      `refusing to roll back job ${firstJob}: 1 row(s) it wrote were changed by a later job or another writer since:\n  row 8 email="user7@example.com": changed since`,
    );
    const refused = await fetch(`${server.url}api/jobs/${firstJob}/rollback`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: '{}' });
    expect(refused.status).toBe(409);
    const forced = await fetch(`${server.url}api/jobs/${firstJob}/rollback`, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: '{"force":true}' });
    expect(forced.status).toBe(200);
    await expect.poll(() => p.rows("SELECT count(*) AS n FROM users WHERE email LIKE 'user%'")[0]!['n'], { timeout: 60_000, interval: 200 }).toBe(0);
  });

  it('cancels a running job from the console, and resumes it to its end without redoing finished batches', async () => {
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(server.url)).text())![1]!;
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    p.write(
      'pipelines/data/more.json',
      generateUsers(3000, 8).map((u, i) => ({ ...u, email: `more${i}@example.com` })),
    );
    p.write(
      'pipelines/slow-more.yaml',
      'name: slow-more\nsource: { file: data/more.json }\ntarget: { connection: users, key: [email] }\nbatch: { size: 500, parallelism: 1 }\n',
    );
    const dry = await call('POST', 'api/runs/dry-run', { pipeline: 'pipelines/slow-more.yaml' });
    expect(await call('POST', 'api/runs', { pipeline: 'pipelines/slow-more.yaml' })).toMatchObject({
      status: 409,
      json: { error: 'run the dry run of this pipeline and file first' },
    });
    const { job } = (await call('POST', 'api/runs', { pipeline: 'pipelines/slow-more.yaml', dryRun: dry.json['id'] })).json as { job: string };
    await expect
      .poll(async () => ((await call('GET', `api/jobs/${job}`)).json['summary'] as { batches: { done: number } } | null)?.batches.done ?? 0, {
        timeout: 30_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    expect(await call('POST', `api/jobs/${job}/cancel`)).toEqual({ status: 200, json: { status: 'cancelled' } });
    const cancelled = (await call('GET', `api/jobs/${job}`)).json as { status: string; summary: { batches: { done: number; total: number } } };
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.summary.batches.done).toBeLessThan(6);
    expect(await call('POST', `api/jobs/${job}/cancel`)).toEqual({ status: 409, json: { error: `job ${job} already ended (cancelled)` } });

    expect(await call('POST', `api/jobs/${job}/resume`)).toEqual({ status: 200, json: { note: 'run 2' } });
    await expect.poll(async () => (await call('GET', `api/jobs/${job}`)).json['status'], { timeout: 60_000, interval: 200 }).toBe('succeeded');
    expect(p.rows("SELECT count(*) AS n FROM users WHERE email LIKE 'more%'")[0]!['n']).toBe(3000);
    expect((await call('GET', `api/jobs/${job}`)).json['summary']).toMatchObject({ total: 3000, inserted: 3000, rejected: 0 });
  });
});
