import Database from 'better-sqlite3';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * Issue 17, hostile inputs through the real CLI: a source rewritten while its job runs is never
 * mixed into the store; bytes that are not UTF-8 are rejected, not imported as U+FFFD.
 */
let p: TestProject;
beforeEach(() => {
  p = new TestProject();
});
afterEach(() => p.cleanup());

const csv = (prefix: string, count: number): string =>
  'email,name\n' + Array.from({ length: count }, (_, i) => `${prefix}${i}@example.com,Name ${i}\n`).join('');

const count = (where: string): number => Number(p.rows(`SELECT count(*) AS n FROM users WHERE ${where}`)[0]!['n']);

const finishedBatches = (): number => {
  const path = join(p.dir, '.ferry/journal.db');
  if (!existsSync(path)) return 0;
  const journal = new Database(path, { readonly: true });
  try {
    return Number((journal.prepare(`SELECT count(*) AS n FROM steps WHERE key LIKE 'runBatch:%'`).get() as { n: number }).n);
  } catch {
    return 0; // the journal's tables are not created yet
  } finally {
    journal.close();
  }
};

const until = async (what: () => boolean, ms = 90_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};

describe('a source rewritten while its job runs', { timeout: 180_000 }, () => {
  it.each([
    ['a replacement of the same length', 30_000],
    ['a shorter replacement', 5_000],
  ])('%s: nothing of the new version is written, and the job fails naming the file', async (_, newRows) => {
    p.write('users.csv', csv('old', 30_000));
    p.write('replacement.csv', csv('new', newRows));
    p.write(
      'import.yaml',
      'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\nretry: { max_attempts: 3, initial_interval: 10ms }\n',
    );
    // Each chunk waits before it writes, so the job is surely still running after the first commit.
    const child = startFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => finishedBatches() >= 1);
    copyFileSync(join(p.dir, 'replacement.csv'), join(p.dir, 'users.csv')); // `cp new.csv users.csv`: same inode, rewritten
    expect(await exit).toBe(1);
    expect(output).toContain(`source changed since the job was planned: ${join(p.dir, 'users.csv')}`);
    expect(output).toMatch(/job import-\S+ failed/);
    expect(count("email LIKE 'new%'")).toBe(0);
    const old = count("email LIKE 'old%'");
    expect(old).toBeGreaterThanOrEqual(1000);
    expect(old).toBeLessThan(30_000);
    // Whole batches of the old file only, in order: rows 1..N.
    expect(old % 1000).toBe(0);
    expect(count(`email LIKE 'old%' AND CAST(substr(email, 4, instr(email, '@') - 4) AS INTEGER) >= ${old}`)).toBe(0);
  });
});

describe('a Latin-1 byte in a UTF-8 source', { timeout: 60_000 }, () => {
  it('is a PARSE_ERROR at its row and byte, never an email with U+FFFD in it', () => {
    const content = Buffer.from('email,name\nl1@example.com,A\nl3@ex\u00e4mple.com,B\nl4@example.com,C\n', 'latin1');
    writeFileSync(join(p.dir, 'users.csv'), content);
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const { code, report } = p.run('import.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 3, inserted: 2, rejected: 1 });
    const [reject] = p.rejects(report);
    expect(reject!.row).toBe(2);
    expect(reject!.errors).toEqual([
      { code: 'PARSE_ERROR', path: '', message: expect.stringContaining(`invalid UTF-8 at byte ${content.indexOf(0xe4)} (0xe4)`) },
    ]);
    expect(count("email LIKE 'l3@%'")).toBe(0);
  });
});
