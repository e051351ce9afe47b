import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../helpers/browser.js';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * Every `${VAR}` value of ferry.yaml is masked as a secret, a port among them. Masked in JSON text,
 * a secret of digits also matched the figures (`"total":1007` → `"total":***`): `jobs show --json`,
 * `jobs errors --json` and `run --dry-run --json` printed what no parser reads, and the console's
 * job and rejects pages failed with a 500. Only strings are masked now; the figures stay.
 */
const ROWS = 1007;
const env = { PG_PORT: String(ROWS), PG_PASSWORD: 'not-on-any-page' };

describe('JSON output when a secret of digits matches a figure', () => {
  let p: TestProject;
  let job: string;
  const ferry = (...args: string[]) => runFerry(args, { cwd: p.dir, env });

  beforeAll(() => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  crm: { driver: postgres, url: "postgres://ferry:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/crm" }\n');
    const rows = Array.from({ length: ROWS }, (_, i) => (i === ROWS - 1 ? 'not-an-email,Last' : `user${i}@example.com,User ${i}`));
    p.write('pipelines/data/users.csv', `email,name\n${rows.join('\n')}\n`);
    p.write(
      'pipelines/import.yaml',
      'name: import\nsource: { file: data/users.csv }\ntarget: { connection: users, key: [email], upsert: true }\ncolumns: { email: email, name: name }\nvalidate: { schema: user, max_rejects: 10 }\n',
    );
    const run = ferry('run', 'pipelines/import.yaml', '--json');
    expect(run.code, run.stderr).toBe(0);
    job = (JSON.parse(run.stdout) as { job: string }).job;
  });
  afterAll(() => p?.cleanup());

  it('jobs show --json, jobs errors --json and run --dry-run --json stay JSON, figures intact', () => {
    const show = ferry('jobs', 'show', job, '--json');
    expect((JSON.parse(show.stdout) as { summary: { total: number } }).summary.total).toBe(ROWS);
    const errors = ferry('jobs', 'errors', job, '--json');
    const lines = errors.stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { row: number }).row)).toEqual([ROWS]);
    const dry = ferry('run', 'pipelines/import.yaml', '--dry-run', '--json');
    expect((JSON.parse(dry.stdout) as { summary: { total: number } }).summary.total).toBe(ROWS);
    for (const out of [show.stdout, errors.stdout, dry.stdout]) expect(out).not.toContain(env.PG_PASSWORD);
  });

  it('the console serves the job and its rejects', async () => {
    const ui = await startConsole(p.dir, [], env);
    try {
      const page = await fetch(`${ui.url}api/jobs/${job}`);
      expect(page.status, await page.clone().text()).toBe(200);
      expect(((await page.json()) as { id: string; summary: { total: number } }).summary.total).toBe(ROWS);
      const rejects = await fetch(`${ui.url}api/jobs/${job}/rejects`);
      expect(rejects.status, await rejects.clone().text()).toBe(200);
      expect(((await rejects.json()) as { lines: { row: number }[] }).lines.map((l) => l.row)).toEqual([ROWS]);
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });
});

describe('the console log of a failed request', () => {
  it('names the path, never the query that may carry the token', async () => {
    const p = new TestProject();
    const token = 'console-token-0123456789';
    try {
      // A store that is not there: the live count fails on the server (a 500, logged).
      p.write('ferry.yaml', 'connections:\n  crm: { driver: postgres, url: "postgres://ferry@127.0.0.1:1/crm", connect_timeout: 1s }\n');
      const ui = await startConsole(p.dir, [], { FERRY_UI_TOKEN: token });
      try {
        const auth = { authorization: `Bearer ${token}` };
        const html = await (await fetch(ui.url, { headers: auth })).text();
        const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(html)![1]!;
        const res = await fetch(`${ui.url}api/export/count?token=${token}`, {
          method: 'POST',
          headers: { ...auth, 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
          body: JSON.stringify({ connection: 'crm', query: '*' }),
        });
        expect(res.status).toBe(500);
        await expect.poll(() => ui.stderr()).toContain('ui: POST /api/export/count: ');
        expect(ui.stderr()).not.toContain(token);
      } finally {
        expect(await ui.stop()).toBe(0);
      }
    } finally {
      p.cleanup();
    }
  });
});

describe("the console's downloads of a reject report", () => {
  it('mask the project secrets as jobs errors does: NDJSON line by line, CSV field by field', async () => {
    const p = new TestProject();
    const secret = 'pa"ss-1234';
    const env = { PW: secret };
    try {
      p.write('ferry.yaml', 'connections:\n  crm: { driver: postgres, url: "postgres://u:${PW}@127.0.0.1:1/crm" }\n');
      p.write('s.json', [{ email: `leak ${secret}`, name: 'Dee' }]);
      p.write('p.yaml', 'source: { file: s.json }\ntarget: { connection: users }\ncolumns: { email: email, given_name: name }\n');
      const run = runFerry(['run', 'p.yaml', '--json'], { cwd: p.dir, env });
      const job = (JSON.parse(run.stdout) as { job: string }).job;
      const ui = await startConsole(p.dir, [], env);
      try {
        for (const kind of ['rejects.ndjson', 'rejects.csv']) {
          const res = await fetch(`${ui.url}api/jobs/${job}/download/${kind}`);
          const body = await res.text();
          expect(res.status, body).toBe(200);
          expect(body, kind).toContain('leak ***');
          expect(body, kind).not.toContain('ss-1234');
        }
      } finally {
        expect(await ui.stop()).toBe(0);
      }
    } finally {
      p.cleanup();
    }
  });
});
