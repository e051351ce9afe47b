import { appendFileSync, linkSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiServer } from '../../src/ui/server.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { credentialsFor } from '../helpers/console-auth.js';
import { startConsole, type ConsoleFixture } from '../helpers/console-server.js';
import type { TestProject } from '../helpers/project.js';

/** HEAD requests to the console, over a real socket: headers, then the end of the answer. */

interface HeadAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Whether the answer ended (within 5 s). */
  ended: boolean;
}

function head(url: string): Promise<HeadAnswer> {
  return new Promise((resolve, reject) => {
    let answer: HeadAnswer = { status: 0, headers: {}, ended: false };
    // Before the fix the headers were not even sent: nothing ends the wait but this.
    const timer = setTimeout(() => {
      req.destroy();
      resolve(answer);
    }, 5000);
    const req = request(url, { method: 'HEAD', agent: false, headers: credentialsFor(url) }, (res) => {
      answer = { status: res.statusCode ?? 0, headers: res.headers, ended: false };
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ ...answer, ended: true });
      });
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ferry ui answers HEAD', () => {
  let fixture: ConsoleFixture;
  let p: TestProject;
  let server: UiServer;

  beforeAll(async () => {
    fixture = await startConsole();
    ({ p, server } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('on /api/events with the event stream headers, then ends: no live stream held open', async () => {
    const answer = await head(`${server.url}api/events`);
    expect(answer).toMatchObject({ status: 200, ended: true });
    expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    // A GET still streams: its first snapshot arrives and the stream stays open.
    const aborts = new AbortController();
    const res = await fetch(`${server.url}api/events`, { signal: aborts.signal });
    const first = await res.body!.getReader().read();
    expect(Buffer.from(first.value!).toString('utf8')).toMatch(/^data: \[/);
    aborts.abort();
  });

  it('on the page and the jobs list like GET, without a body', async () => {
    for (const path of ['', 'api/jobs']) {
      const answer = await head(`${server.url}${path}`);
      expect(answer, path).toMatchObject({ status: 200, ended: true });
    }
  });

  // The answer ended only once the whole file was read and masked (its body then thrown away): a big report held HEAD for minutes.
  it('on an artifact download with its headers, without reading the file (a huge one answers at once)', async () => {
    seed(p);
    p.write('export.yaml', exportPipeline({ file: 'out/users.csv' }));
    const { code, report } = p.run('export.yaml');
    expect(code).toBe(0);
    const jobDir = join(p.dir, '.ferry', 'jobs', report.job);
    // 200 MB of rejects (served as rejects.ndjson, rejects.csv and, linked, as the backup): masked line by line, minutes.
    const line = JSON.stringify({ row: 1, record: { email: 'a@x.io' }, errors: [{ code: 'INVALID_EMAIL', path: 'email', message: 'bad' }] }) + '\n';
    const mb = line.repeat(Math.ceil(1e6 / line.length));
    writeFileSync(join(jobDir, 'rejects.ndjson'), '');
    for (let i = 0; i < 200; i++) appendFileSync(join(jobDir, 'rejects.ndjson'), mb);
    linkSync(join(jobDir, 'rejects.ndjson'), join(jobDir, 'backup.ndjson'));
    // A sparse terabyte: the output is copied as it is, and reading it would take longer than any test.
    truncateSync(join(p.dir, 'out/users.csv'), 2 ** 40);
    const types = {
      'rejects.ndjson': 'application/x-ndjson',
      'rejects.csv': 'text/csv; charset=utf-8',
      'backup.ndjson': 'application/x-ndjson',
      output: 'text/csv; charset=utf-8',
    };
    for (const [kind, type] of Object.entries(types)) {
      const answer = await head(`${server.url}api/jobs/${report.job}/download/${kind}`);
      expect(answer, kind).toMatchObject({ status: 200, ended: true });
      expect(answer.headers['content-type'], kind).toBe(type);
      expect(answer.headers['content-disposition'], kind).toMatch(/^attachment; filename="/);
    }
    expect((await head(`${server.url}api/jobs/${report.job}/download/nothing`)).status).toBe(404);
  }, 120_000);
});
