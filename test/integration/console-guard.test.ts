import { existsSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { UiServer } from '../../src/ui/server.js';
import { TestProject } from '../helpers/project.js';

/** The console's Host check (DNS rebinding) on a loopback address other than 127.0.0.1, and what it shows back of an upload's name. */

let p: TestProject;
let app: App;
let server: UiServer;
const token = 'console-guard-test-token';

beforeAll(async () => {
  p = new TestProject();
  p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n');
  const [{ loadProject }, { createApp }, { startUiServer }] = await Promise.all([
    import('../../src/project/load-config.js'),
    import('../../src/app.js'),
    import('../../src/ui/server.js'),
  ]);
  app = createApp(loadProject(p.dir, undefined, process.env), { cwd: p.dir, env: process.env });
  // Any 127.x.y.z is loopback: `ferry ui --host 127.0.0.2` binds it without FERRY_UI_TOKEN.
  server = await startUiServer({ app, host: '127.0.0.2', port: 0, token, maxUpload: 1024 * 1024, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  p?.cleanup();
});

/** A request to the server with the Host header given (fetch sets its own), presenting the token. */
function send(
  path: string,
  host: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers = { host, authorization: `Bearer ${token}`, ...init.headers };
    const req = request({ host: url.hostname, port: url.port, path, method: init.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('ferry ui --host 127.0.0.2', () => {
  // Every request was refused with 421 "answers as 127.0.0.1:<port>": the address it printed was not one it answered as.
  it('answers as the address it printed, and still refuses other names', async () => {
    const own = new URL(server.url).host;
    expect(own.startsWith('127.0.0.2:')).toBe(true);
    const page = await send('/', own);
    expect(page.status, page.body).toBe(200);
    expect((await send('/api/jobs', own)).status).toBe(200);
    expect((await send('/api/jobs', `evil.example:${new URL(server.url).port}`)).status).toBe(421);
    expect((await send('/api/jobs', '127.0.0.2')).status).toBe(421); // port 80 is not its port
  });

  // An upload named with a right-to-left override (U+202E) was shown back as is: "\u202evsc.json" reads "nosj.csv" on the page.
  it('shows an upload name back with its bidi and control characters escaped', async () => {
    const own = new URL(server.url).host;
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec((await send('/', own)).body)![1]!;
    const name = '\u202evsc.json';
    const res = await send(`/api/uploads?name=${encodeURIComponent(name)}`, own, {
      method: 'POST',
      headers: { 'x-ferry-csrf': csrf },
      body: '[{"email":"a@b.co"}]',
    });
    expect(res.status, res.body).toBe(200);
    const answer = JSON.parse(res.body) as { name: string; format: string };
    expect(answer.format).toBe('json');
    expect(answer.name).toBe('\\u202evsc.json');
  });

  // A page of another site could have the browser GET any of it (an <img>, a no-cors fetch): each
  // /api/pipelines ran every pipeline's `ferry test`, each rollback check queried the store.
  it('answers a GET from another site only for its page, as a link to it', async () => {
    const own = new URL(server.url).host;
    const status = async (path: string, site?: string) => (await send(path, own, site ? { headers: { 'sec-fetch-site': site } } : {})).status;
    for (const path of ['/api/pipelines', '/api/jobs', '/api/events', '/app.js', '/api/jobs/x/rollback-check']) {
      expect(await status(path, 'cross-site'), path).toBe(403);
      expect(await status(path, 'same-site'), path).toBe(403);
    }
    expect(await status('/api/pipelines', 'same-origin')).toBe(200);
    expect(await status('/api/pipelines', 'none')).toBe(200);
    expect(await status('/api/pipelines')).toBe(200);
    expect(await status('/', 'cross-site')).toBe(200);
  });

  // A link at pipelines/<name>.yaml (to nothing yet) made the save fail with a 500 "EEXIST ... open '<absolute path>'".
  it('refuses to save a pipeline over a link at its path with a 409, writing nothing through it', async () => {
    const own = new URL(server.url).host;
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec((await send('/', own)).body)![1]!;
    p.write('pipelines/keep.yaml', 'name: keep\n');
    const target = join(p.dir, 'elsewhere.yaml');
    symlinkSync(target, join(p.dir, 'pipelines/linked.yaml'));
    const draft = { name: 'linked', connection: 'users', query: '*', format: 'csv', columns: [{ header: 'email', expression: 'email' }] };
    const res = await send('/api/export/save', own, { method: 'POST', headers: { 'x-ferry-csrf': csrf }, body: JSON.stringify({ draft }) });
    expect(res.status, res.body).toBe(409);
    expect(res.body).toContain('pipelines/linked.yaml');
    expect(res.body).not.toContain(p.dir);
    expect(existsSync(target)).toBe(false);
  });
});
