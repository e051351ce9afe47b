import Database from 'better-sqlite3';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry, runFerryAsync } from '../helpers/cli.js';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A SQLite store that changes while an export or a migration reads it: users inserted inside the
 * planned range and deleted from it between planning and the pages' reads (each page pauses before
 * its read). The job reads the snapshot it took at planning: every user there then comes out once,
 * in order, and none that arrived later (PostgreSQL pages read the live table by cursors instead:
 * test/contract/connections/postgres*.test.ts).
 */
const users = Array.from({ length: 9 }, (_, i) => ({
  user_id: `u${i + 1}`,
  email: `user${i + 1}@x.io`,
  given_name: `User${i + 1}`,
  created_at: `2024-01-0${i + 1}T00:00:00.000Z`,
  updated_at: '2024-02-01T00:00:00.000Z',
}));
/** Inside the first and second pages' ranges (pages of 3 by created_at: days 1–3, 4–6, 7–9). */
const arrivals = [
  { user_id: 'n1', email: 'new1@x.io', created_at: '2024-01-02T12:00:00.000Z' },
  { user_id: 'n2', email: 'new2@x.io', created_at: '2024-01-02T18:00:00.000Z' },
  { user_id: 'n3', email: 'new3@x.io', created_at: '2024-01-05T12:00:00.000Z' },
];
const leaving = ['u5', 'u8'];
const pause = 1500;

describe('pages of a store that changes while they are read', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p, users);
  });
  afterEach(() => p.cleanup());

  /** Runs `pipeline` with every page held before its read; changes the store once the job is planned. */
  async function runWhileChanging(pipeline: string): Promise<JobReportJson> {
    const done = runFerryAsync(['run', pipeline, '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: `page-before-read=pause:${pause}` } });
    const jobs = join(p.dir, '.ferry', 'jobs');
    const planned = (): boolean =>
      existsSync(jobs) && readdirSync(jobs).some((job) => job.startsWith(pipeline.replace('.yaml', '')) && existsSync(join(jobs, job, 'plan.json')));
    const started = Date.now();
    while (!planned()) {
      expect(Date.now() - started, 'the job was never planned').toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const db = new Database(join(p.dir, '.ferry', 'users.db'));
    try {
      const insert = db.prepare('INSERT INTO users (user_id, email, created_at, updated_at) VALUES (?, ?, ?, ?)');
      for (const u of arrivals) insert.run(u.user_id, u.email, u.created_at, '2024-02-01T00:00:00.000Z');
      db.prepare(`DELETE FROM users WHERE user_id IN (${leaving.map(() => '?').join(', ')})`).run(...leaving);
    } finally {
      db.close();
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as JobReportJson;
  }

  /** What the pages should read: everyone there when the job was planned, in created_at order. */
  const expected = [...users].sort((a, b) => a.created_at.localeCompare(b.created_at)).map((u) => u.email);

  it('an export writes each user there at planning once, in order, and none that arrived later', async () => {
    p.write('out.yaml', exportPipeline({ file: 'out/users.csv', sort: '{ by: created_at }', extra: 'columns:\n  email: email\nbatch: { size: 3 }\n' }));
    const report = await runWhileChanging('out.yaml');
    expect(report.summary).toMatchObject({ total: users.length, exported: expected.length, rejected: 0 });
    const lines = read(p, report.artifacts.output!).trim().split(/\r?\n/);
    expect(lines).toEqual(['email', ...expected]);
    // Its snapshot is gone with the succeeded job.
    expect(existsSync(join(p.dir, report.artifacts.dir, 'snapshot.db'))).toBe(false);
  });

  it('a migration copies each user there at planning once, each with its own generated user_id', async () => {
    p.write(
      'ferry.yaml',
      'state_dir: .ferry\nconnections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n  archive: { driver: sqlite, path: archive.db, table: users }\n',
    );
    p.write(
      'copy.yaml',
      'source: { connection: users, sort: { by: created_at } }\ntarget: { connection: archive, key: [email] }\ncolumns:\n  email: email\nbatch: { size: 3, parallelism: 1 }\n',
    );
    const report = await runWhileChanging('copy.yaml');
    expect(report.summary).toMatchObject({ total: users.length, inserted: expected.length, rejected: 0 });
    const copied = p.rows('SELECT email, user_id FROM users ORDER BY rowid', 'archive.db');
    expect(copied.map((r) => r['email']).sort()).toEqual([...expected].sort());
    expect(new Set(copied.map((r) => r['user_id'])).size).toBe(expected.length);
  });
});

describe('the snapshot of an export killed before its end', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p, users);
  });
  afterEach(() => p.cleanup());

  /** Runs the export until its second page is recorded, then kills it (SIGKILL); returns the job id. */
  function killedExport(): string {
    p.write(
      'out.yaml',
      exportPipeline({ file: 'out/users.csv', sort: '{ by: created_at }', extra: 'columns:\n  email: email\nbatch: { size: 3, parallelism: 1 }\n' }),
    );
    // Steps recorded: the plan, the first page, the second page.
    const killed = runFerry(['run', 'out.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'step-after-record=3', FERRY_BATCH_THREADS: '0' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1];
    expect(id).toBeDefined();
    return id!;
  }

  it('a resume reads the rows of the store at planning: pages written since neither repeat nor shift', () => {
    const id = killedExport();
    const db = new Database(join(p.dir, '.ferry', 'users.db'));
    try {
      // A user arrives inside the last page's range and its last user leaves: read live, that page would change.
      db.prepare('INSERT INTO users (user_id, email, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
        'n7',
        'new7@x.io',
        '2024-01-07T12:00:00.000Z',
        '2024-02-01T00:00:00.000Z',
      );
      db.prepare('DELETE FROM users WHERE user_id = ?').run('u9');
    } finally {
      db.close();
    }
    const resumed = p.ferry('jobs', 'resume', id, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ total: users.length, exported: users.length });
    expect(read(p, report.artifacts.output!).trim().split(/\r?\n/)).toEqual(['email', ...users.map((u) => u.email)]);
  });

  it('a resume whose snapshot was deleted fails at once, naming it, and writes no export', () => {
    const id = killedExport();
    const snapshot = join(p.dir, '.ferry', 'jobs', id, 'snapshot.db');
    expect(existsSync(snapshot)).toBe(true);
    rmSync(snapshot);
    const resumed = p.ferry('jobs', 'resume', id, '--json');
    expect(resumed.code).toBe(1);
    const report = JSON.parse(resumed.stdout) as JobReportJson & { error: { message: string } };
    expect(report.status).toBe('failed');
    expect(report.error.message).toContain('cannot read the rows the job copied at planning (snapshot.db in its folder');
    expect(report.error.message).toContain(join('.ferry', 'jobs', id));
    expect(report.error.message).toContain('Run the pipeline again as a new job');
    // Not retried: the default policy's attempts would have logged a retry each.
    expect(resumed.stderr).not.toMatch(/retrying in/);
    expect(existsSync(join(p.dir, 'out', 'users.csv'))).toBe(false);
  });
});

describe('pages whose bounds a JS number cannot hold exactly', () => {
  let p: TestProject;
  beforeEach(() => (p = new TestProject()));
  afterEach(() => p.cleanup());

  it('exports a table whose columns are named rowid and ferry_seq, in order, every value as stored', () => {
    const db = new Database(p.write('odd.db', ''));
    db.exec('CREATE TABLE people (rowid TEXT, ferry_seq INTEGER, email TEXT)');
    const insert = db.prepare('INSERT INTO people (rowid, ferry_seq, email) VALUES (?, ?, ?)');
    for (let i = 0; i < 7; i++) insert.run(`r${7 - i}`, 100 - i, `p${i}@x.io`);
    db.close();
    p.write('ferry.yaml', 'state_dir: .ferry\nconnections:\n  odd: { driver: sqlite, path: odd.db, table: people }\n');
    p.write(
      'out.yaml',
      'source: { connection: odd, sort: { by: ferry_seq } }\ntarget: { file: out/people.csv }\ncolumns:\n  rowid: rowid\n  seq: ferry_seq\n  email: email\nbatch: { size: 3 }\n',
    );
    const { code, report } = p.run('out.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 7, exported: 7 });
    const expected = Array.from({ length: 7 }, (_, k) => 6 - k).map((i) => `r${7 - i},${100 - i},p${i}@x.io`);
    expect(read(p, report.artifacts.output!).trim().split(/\r?\n/)).toEqual(['rowid,seq,email', ...expected]);
  });

  it('exports every row of a table keyed by integers beyond 2^53', () => {
    // Cursors pass through JS numbers: 2^53 + 5 comes back as 2^53 + 4, so the last page cannot end at it.
    const db = new Database(p.write('big.db', ''));
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT)');
    const ids = [1n, 2n, 3n, 4n, 5n].map((n) => 2n ** 53n + n);
    const insert = db.prepare('INSERT INTO accounts (id, email) VALUES (?, ?)');
    ids.forEach((id, i) => insert.run(id, `a${i}@x.io`));
    db.close();
    p.write('ferry.yaml', 'state_dir: .ferry\nconnections:\n  big: { driver: sqlite, path: big.db, table: accounts }\n');
    p.write('out.yaml', 'source: { connection: big }\ntarget: { file: out/accounts.csv }\ncolumns:\n  email: email\nbatch: { size: 2 }\n');
    const { code, report } = p.run('out.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 5, exported: 5 });
    expect(read(p, report.artifacts.output!).trim().split(/\r?\n/)).toEqual(['email', 'a0@x.io', 'a1@x.io', 'a2@x.io', 'a3@x.io', 'a4@x.io']);
  });
});
