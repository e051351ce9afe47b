import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectsIndex, rejectsCsv } from '../../src/ui/rejects.js';
import { tempDir } from '../helpers/cli.js';

/**
 * The rejects table over reports too big to hold: the index keeps where each error is, not its
 * text, and a report cut short by a crash is shown (and downloaded) up to its damaged line.
 */

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const reject = (row: number, code: string, message: string) =>
  JSON.stringify({ row, record: { email: `user${row}@example` }, errors: [{ code, path: 'email', message }] });

function report(lines: string[]): string {
  const t = tempDir('ferry-rejects-bounds-');
  cleanup = t.cleanup;
  const file = join(t.dir, 'rejects.ndjson');
  writeFileSync(file, lines.join('\n'));
  return file;
}

const built = join(import.meta.dirname, '../../dist/src/ui/rejects.js');

describe('RejectsIndex bounds', () => {
  // Every line's message was kept in memory: a report of millions of errors (a mapping that rejects
  // every row of a big import) took gigabytes, and the console — with the jobs it runs — crashed.
  it.skipIf(!existsSync(built))('keeps where each error is, not its message: 60 MB of messages index in a few MB', () => {
    const file = report(Array.from({ length: 15_000 }, (_, i) => reject(i + 1, 'FORMAT', `m${i} ${'x'.repeat(4000)}`)));
    const script = `
      const { RejectsIndex } = await import(${JSON.stringify(pathToFileURL(built).href)});
      const index = new RejectsIndex();
      global.gc(); const before = process.memoryUsage().heapUsed;
      const page = await index.page(${JSON.stringify(file)}, { offset: 14999, limit: 1 });
      global.gc(); const after = process.memoryUsage().heapUsed;
      console.log(JSON.stringify({ kept: after - before, total: page.total, message: page.lines[0].message.slice(0, 6) }));
      globalThis.keep = index;`;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout) as { kept: number; total: number; message: string };
    expect(out.total).toBe(15_000);
    expect(out.message).toBe('m14999');
    expect(out.kept).toBeLessThan(8 * 1024 * 1024);
  });

  it('indexes at most maxLines errors, says so, and still counts every code', async () => {
    const file = report(Array.from({ length: 30 }, (_, i) => reject(i + 1, i < 20 ? 'FORMAT' : 'REQUIRED', `m${i + 1}`)));
    const page = await new RejectsIndex({ maxLines: 10 }).page(file, { offset: 8, limit: 5 });
    expect(page.total).toBe(10);
    expect(page.indexed).toBe(10);
    expect(page.errors).toBe(30);
    expect(page.codes).toEqual([
      { code: 'FORMAT', count: 20 },
      { code: 'REQUIRED', count: 10 },
    ]);
    expect(page.lines.map((l) => l.message)).toEqual(['m9', 'm10']);
  });

  // A report cut short (a crash mid-write) failed the whole table with a 500 naming the file's absolute path.
  it('shows a report cut short up to the damaged line, and counts the lines it could not read', async () => {
    const file = report([reject(1, 'FORMAT', 'one'), '{"row":2,"record":{"email":"x', reject(3, 'REQUIRED', 'three'), '[1]', '']);
    const page = await new RejectsIndex().page(file, { offset: 0, limit: 10 });
    expect(page.lines).toEqual([
      { row: 1, code: 'FORMAT', path: 'email', message: 'one' },
      { row: 3, code: 'REQUIRED', path: 'email', message: 'three' },
    ]);
    expect(page.unreadable).toBe(2);
  });

  // The CSV download of such a report stopped at the damaged line with the connection reset (curl: 18, partial file).
  it('downloads a damaged report as CSV whole: an unreadable line goes out as its text, masked', async () => {
    const file = report([reject(1, 'FORMAT', 'one'), '{"row":2,"record":{"password":"hunter2-secret', reject(3, 'REQUIRED', 'three')]);
    let csv = '';
    for await (const line of rejectsCsv(file, (text) => text.replaceAll('hunter2-secret', '***'))) csv += line;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('NOT_JSON');
    expect(lines[2]).toContain('***');
    expect(csv).not.toContain('hunter2');
    expect(lines[3]).toMatch(/^3,REQUIRED,email,three,/);
  });

  // A running job's report grows between the page's requests (one a second): each started another
  // whole read, so a report that takes longer than a second to read was read by dozens at once.
  it('reads a growing report once at a time: requests meanwhile share the read under way', async () => {
    const file = report(Array.from({ length: 20_000 }, (_, i) => reject(i + 1, 'FORMAT', `m${i + 1}`)));
    const index = new RejectsIndex();
    const pages = [];
    for (let i = 0; i < 5; i++) {
      pages.push(index.page(file, { offset: 0, limit: 1 }));
      appendFileSync(file, '\n' + reject(20_001 + i, 'REQUIRED', 'grown'));
    }
    const seen = await Promise.all(pages);
    for (const page of seen) expect(page.codes).toBe(seen[0]!.codes);
    // Once that read is done, the next request reads the report as it is now.
    const now = await index.page(file, { code: 'REQUIRED', offset: 0, limit: 10 });
    expect(now.total).toBe(5);
    expect(now.lines.map((l) => l.row)).toEqual([20_001, 20_002, 20_003, 20_004, 20_005]);
  });

  // A named pipe put at a job's rejects.ndjson held the request for good, and every later one for
  // that job shared its read; a folder there failed the table with a 500.
  it('refuses a report that is not a regular file, without waiting on it', async () => {
    const t = tempDir('ferry-rejects-fifo-');
    cleanup = t.cleanup;
    const fifo = join(t.dir, 'rejects.ndjson');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const index = new RejectsIndex();
    for (let i = 0; i < 2; i++) await expect(index.page(fifo, { offset: 0, limit: 10 })).rejects.toMatchObject({ status: 403 });
    const lines: string[] = [];
    await expect(
      (async () => {
        for await (const line of rejectsCsv(fifo, (text) => text)) lines.push(line);
      })(),
    ).rejects.toMatchObject({ status: 403 });
    await expect(new RejectsIndex().page(t.dir, { offset: 0, limit: 10 })).rejects.toMatchObject({ status: 403 });
  }, 10_000);
});
