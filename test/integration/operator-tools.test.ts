import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry, startFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { crashAndResumeUpsert, expectUpsertDryRun, seedUpsertScenario } from '../helpers/upsert-scenario.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The operator tools of issue 9 on the embedded engine and the SQLite store, through the real CLI:
 * dry run, retry of rejects, rollback (also of an upsert that was killed and resumed).
 */

let p: TestProject;
afterEach(() => p?.cleanup());

const everything = 'SELECT * FROM users ORDER BY email';

/** The store's bytes: the file holds everything once the CLI exited (its WAL checkpointed and removed). */
function storeBytes(): string {
  expect(existsSync(join(p.dir, '.ferry/users.db-wal'))).toBe(false);
  return createHash('sha256')
    .update(readFileSync(join(p.dir, '.ferry/users.db')))
    .digest('hex');
}

function seededProject(): void {
  p = new TestProject();
  seedUpsertScenario(p);
}

describe('ferry run --dry-run', () => {
  it('reports what an upsert would do, with diffs by JSON path, and leaves the store byte for byte as it was', () => {
    seededProject();
    const before = storeBytes();
    const result = runFerry(['run', 'upsert.yaml', '--dry-run', '--json', '--examples', '2'], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    expectUpsertDryRun(result.stdout);
    expect(storeBytes()).toBe(before);
    // And the real run does what the dry run said.
    const { report: real } = p.run('upsert.yaml');
    expect(real.summary).toMatchObject({ total: 151, inserted: 50, updated: 99, unchanged: 0, rejected: 2 });
    expect(runFerry(['jobs', 'list', '--json'], { cwd: p.dir }).stdout.trim().split('\n')).toHaveLength(2); // the dry run left no job
  });

  it('prints counts and diffs as text', () => {
    seededProject();
    const result = runFerry(['run', 'upsert.yaml', '--dry-run', '--examples', '1'], { cwd: p.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would insert 50, would update 99, unchanged 0, rejected 2 (of 151)');
    expect(result.stdout).toContain('  update row 1 email="user200@example.com"\n    given_name: "Given200" → "Renamed0"');
    expect(result.stdout).toContain('    user_metadata.added: ∅ → 0');
  });
});

describe('ferry jobs retry-rejects', () => {
  it('imports exactly the rejected records once the pipeline is fixed, and can retry its own rejects', () => {
    p = new TestProject();
    // Rows 40, 80, 120 have broken emails; every third row from row 2 is on the pro plan (row 80 is both).
    const users = generateUsers(120, 5, { invalidEvery: 40 });
    p.write('users.json', users);
    // Version 1 refuses the pro plan by mistake.
    const pipeline = (rule: string): string =>
      `source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 25 }\nvalidate:\n  schema: user\n  rules:\n    - check: ${rule}\n      message: plan refused\n`;
    p.write('import.yaml', pipeline("user_metadata.plan != 'pro'"));
    const first = p.run('import.yaml').report;
    expect(first.summary).toMatchObject({ total: 120, inserted: 78, rejected: 42 });
    const rejectedRows = p.rejects(first).map((r) => r.row);
    // Fixed: every plan is fine now.
    p.write('import.yaml', pipeline('$exists(email)'));
    const retry = runFerry(['jobs', 'retry-rejects', first.job, '--json'], { cwd: p.dir });
    expect(retry.code, retry.stderr).toBe(0);
    const second = JSON.parse(retry.stdout) as JobReportJson;
    expect(second.summary).toMatchObject({ total: 42, inserted: 39, updated: 0, rejected: 3 });
    expect(p.rejects(second).map((r) => [r.row, r.errors[0]?.code])).toEqual([
      [40, 'FORMAT'],
      [80, 'FORMAT'],
      [120, 'FORMAT'],
    ]);
    const emails = p.rows('SELECT email FROM users ORDER BY rowid').map((r) => r['email']);
    expect(emails).toHaveLength(117);
    expect(new Set(emails).size).toBe(117);
    const retried = rejectedRows.filter((row) => row % 40 !== 0).map((row) => (users[row - 1] as { email: string }).email);
    // Batches commit in any order (parallelism 4): the retry's users are the last 39 rows, in some order.
    expect(emails.slice(78).sort()).toEqual(retried.sort());
    // The retry's own rejects: the same three, still broken.
    const third = JSON.parse(runFerry(['jobs', 'retry-rejects', second.job, '--json'], { cwd: p.dir }).stdout) as JobReportJson;
    expect(third.summary).toMatchObject({ total: 3, inserted: 0, rejected: 3 });
  });

  it('imports exactly the rejected records once a mapping is fixed', () => {
    p = new TestProject();
    // Every fourth record comes from a legacy system that calls the field `Mail`.
    const users: { email?: string; Mail?: string; name: string }[] = Array.from({ length: 60 }, (_, i) =>
      i % 4 === 3 ? { Mail: `legacy${i}@example.com`, name: `L${i}` } : { email: `user${i}@example.com`, name: `U${i}` },
    );
    p.write('users.json', users);
    const pipeline = (email: string): string =>
      `source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 10 }\ncolumns:\n  email: ${email}\n  name: name\n`;
    p.write('import.yaml', pipeline('email'));
    const first = p.run('import.yaml').report;
    expect(first.summary).toMatchObject({ total: 60, inserted: 45, rejected: 15 });
    p.write('import.yaml', pipeline('"$exists(email) ? email : Mail"'));
    const retry = runFerry(['jobs', 'retry-rejects', first.job, '--json'], { cwd: p.dir });
    expect(retry.code, retry.stderr).toBe(0);
    expect((JSON.parse(retry.stdout) as JobReportJson).summary).toMatchObject({ total: 15, inserted: 15, rejected: 0 });
    const stored = p.rows('SELECT email, name FROM users ORDER BY email');
    const expected = users.map((u) => ({ email: u.email ?? u.Mail ?? '', name: u.name })).sort((a, b) => (a.email < b.email ? -1 : 1));
    expect(stored).toEqual(expected);
  });

  it('refuses when the source file changed since the job read it', () => {
    p = new TestProject();
    p.write('users.json', [{ email: 'broken' }]);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    const { report } = p.run('import.yaml');
    p.write('users.json', [{ email: 'fixed@example.com' }]);
    const result = runFerry(['jobs', 'retry-rejects', report.job], { cwd: p.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('changed since job');
  });
});

describe('ferry jobs rollback', () => {
  it('restores the exact previous table after an upsert with metadata merge that was killed and resumed', () => {
    seededProject();
    const previous = p.rows(everything);
    const job = crashAndResumeUpsert(p);
    expect(p.rows(everything)).not.toEqual(previous);
    const backup = readFileSync(join(p.dir, '.ferry/jobs', job, 'backup.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(backup).toHaveLength(149);

    const rollback = runFerry(['jobs', 'rollback', job, '--json'], { cwd: p.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect((JSON.parse(rollback.stdout) as JobReportJson).summary).toMatchObject({ total: 149, updated: 149, rejected: 0 });
    expect(p.rows(everything)).toEqual(previous);

    // A second rollback of the same job names the first, not "changed by a later job".
    const again = runFerry(['jobs', 'rollback', job], { cwd: p.dir });
    expect(again.code).toBe(1);
    const first = (JSON.parse(rollback.stdout) as JobReportJson).job;
    expect(again.stderr).toBe(
      `refusing to roll back job ${job}: job ${first} rolled it back already (ferry jobs show ${first}), so what it wrote is undone. To write its rows again, run its pipeline again; ferry jobs rollback ${job} --force puts back the rows' values from before job ${job} over any change since\n`,
    );
    expect(p.rows(everything)).toEqual(previous);
    // What the message offers runs: forced, the second rollback finds the rows already as they were.
    const forced = runFerry(['jobs', 'rollback', job, '--force'], { cwd: p.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(p.rows(everything)).toEqual(previous);
  });

  it('refuses to resume a job it rolled back: the batches it undid would stay undone', async () => {
    p = new TestProject();
    p.write('users.json', generateUsers(50, 1));
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\n');
    // Ctrl-C once two batches are in: a cancelled job with 20 of 50 rows written, and its backup.
    const run = startFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:200' } });
    const exited = new Promise((resolve) => run.on('exit', resolve));
    const stored = (): number => {
      try {
        return Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
      } catch {
        return 0; // the store or its table is not created yet
      }
    };
    for (const end = Date.now() + 60_000; stored() < 20; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error('timed out waiting for two batches');
    }
    run.kill('SIGINT');
    await exited;
    const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: p.dir }).stdout.split('\n')[0]!) as { job: string; status: string }).job;
    const written = Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
    expect(written).toBeLessThan(50);
    const rollback = runFerry(['jobs', 'rollback', job, '--json'], { cwd: p.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    const undoer = (JSON.parse(rollback.stdout) as JobReportJson).job;
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 0 }]);

    const resumed = runFerry(['jobs', 'resume', job], { cwd: p.dir });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(
      `refusing to resume job ${job}: job ${undoer} rolled it back (succeeded), and a resume would not redo the batches the rollback undid; run its pipeline as a new job to write its rows again (ferry run `,
    );
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 0 }]);
    // What the message offers writes every row.
    const fresh = p.run('import.yaml');
    expect(fresh.report.summary).toMatchObject({ inserted: 50 });
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 50 }]);
  });

  it('refuses to resume or roll back a job whose connection ferry.yaml now points at another store', () => {
    p = new TestProject();
    const config = (path: string): void => {
      p.write('ferry.yaml', `connections:\n  users: { driver: sqlite, path: ${path} }\n`);
    };
    config('first.db');
    p.write('users.json', generateUsers(50, 1));
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\n');
    // Killed after two batches committed: 20 of 50 rows in first.db.
    expect(runFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=2' } }).code).not.toBe(0);
    const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: p.dir }).stdout.split('\n')[0]!) as { job: string }).job;
    expect(p.rows('SELECT count(*) AS n FROM users', 'first.db')).toEqual([{ n: 20 }]);
    // Killed, it never assembled its backup: the rollback says how to get one, not "it wrote nothing".
    const early = runFerry(['jobs', 'rollback', job], { cwd: p.dir });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      `job ${job} wrote rows but has no backup.ndjson yet: its process stopped before the job's end assembled it. Run it to its end (ferry jobs resume ${job}), then roll it back`,
    );

    config('second.db');
    const resumed = runFerry(['jobs', 'resume', job], { cwd: p.dir });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(
      `refusing to resume job ${job}: ferry.yaml changed where its connections point since it started, so its rows would land in two stores:\n` +
        '  connection users: was sqlite first.db table users, now sqlite second.db table users\nRestore ferry.yaml, or run the pipeline as a new job',
    );
    const rollback = runFerry(['jobs', 'rollback', job], { cwd: p.dir });
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain(`refusing to roll back job ${job}: ferry.yaml changed where its connections point since it ran`);
    expect(existsSync(join(p.dir, 'second.db'))).toBe(false);

    config('first.db');
    const again = runFerry(['jobs', 'resume', job], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(p.rows('SELECT count(*) AS n FROM users', 'first.db')).toEqual([{ n: 50 }]);
  });

  it('refuses, listing them, where a later job changed rows, and puts everything back with --force', () => {
    seededProject();
    const previous = p.rows(everything);
    const { report } = p.run('upsert.yaml');
    p.write('later.json', [{ email: 'user201@example.com', nickname: 'later' }]);
    p.write('later.yaml', 'source: { file: later.json }\ntarget: { connection: users, upsert: true }\n');
    expect(p.run('later.yaml').report.summary.updated).toBe(1);
    const afterLater = p.rows(everything);

    const refused = runFerry(['jobs', 'rollback', report.job], { cwd: p.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '1 row(s) it wrote were changed by a later job or another writer since:\n  row 2 email="user201@example.com": changed since',
    );
    expect(p.rows(everything)).toEqual(afterLater);

    const forced = runFerry(['jobs', 'rollback', report.job, '--force', '--json'], { cwd: p.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(p.rows(everything)).toEqual(previous);
  });
});
