import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

const EXPORT = exportPipeline({ file: 'out/users.csv', sort: '{ by: user_id }', extra: 'columns:\n  id: user_id\nbatch: { size: 2 }\n' });
const FAILING = exportPipeline({
  file: 'out/fail.csv',
  extra: 'columns:\n  id: user_id\n  plan: $uppercase(user_metadata.plan)\nvalidate:\n  max_rejects: 0\n',
});
const DAY = 86_400_000;

describe('retention: export parts and ferry jobs prune (embedded engine)', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p);
  });
  afterEach(() => p.cleanup());

  const jobDir = (id: string): string => join(p.dir, '.ferry/jobs', id);
  const parts = (id: string): string[] => readdirSync(join(jobDir(id), 'parts')).filter((f) => f.startsWith('output-'));
  const jobIds = (): string[] =>
    p
      .ferry('jobs', 'list', '--json')
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { job: string }).job)
      .sort();
  const endedDaysAgo = (days: number, ...ids: string[]): void => {
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    for (const id of ids)
      db.prepare('UPDATE jobs SET ended_at = ?, created_at = ? WHERE id = ?').run(
        new Date(Date.now() - days * DAY).toISOString(),
        new Date(Date.now() - days * DAY).toISOString(),
        id,
      );
    db.close();
  };

  it('an export keeps no second copy of its file once it is whole; an interrupted one keeps the parts its resume needs', () => {
    p.write('export.yaml', EXPORT);
    const done = p.run('export.yaml').report;
    expect(read(p, done.artifacts.output!)).toBe('id\r\nu1\r\nu2\r\nu3\r\nu4\r\nu5\r\n');
    expect(parts(done.job)).toEqual([]);

    const killed = runFerry(['run', 'export.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=2' } });
    const id = /job (\S+) started/.exec(killed.stderr)?.[1] as string;
    expect(parts(id)).toHaveLength(3);
    expect(p.ferry('jobs', 'resume', id, '--json').code).toBe(0);
    expect(parts(id)).toEqual([]);
    expect(read(p, 'out/users.csv')).toBe('id\r\nu1\r\nu2\r\nu3\r\nu4\r\nu5\r\n');
  });

  it('--older-than 0s prunes every ended job but the last success (seconds are an age too)', () => {
    p.write('export.yaml', EXPORT);
    const first = p.run('export.yaml').report.job;
    const last = p.run('export.yaml').report.job;
    const pruned = p.ferry('jobs', 'prune', '--older-than', '0s', '--include-backups');
    expect(pruned.code).toBe(0);
    expect(jobIds()).toContain(last);
    expect(jobIds()).not.toContain(first);
    expect(p.ferry('jobs', 'prune', '--older-than', '5x').stderr).toContain('such as 30d, 12h, 2w, 90m or 45s');
  });

  it('prunes old ended jobs; keeps recent and unfinished ones, the last success, backups for rollback; --dry-run deletes nothing', () => {
    const seedJob = jobIds()[0] as string;
    p.write('more/users.json', [
      { user_id: 'u6', email: 'fay@x.io' },
      { user_id: 'u7', email: 'gus@x.io' },
    ]);
    p.write('more.yaml', 'source: { file: more/users.json }\ntarget: { connection: users, key: [email], upsert: true }\n');
    p.write('export.yaml', EXPORT);
    p.write('fail.yaml', FAILING);
    const imported = p.run('more.yaml').report.job; // inserts u6 and u7: its backup can undo that
    const reimported = p.run('more.yaml').report.job; // unchanged: the last success of more.yaml
    const oldExport = p.run('export.yaml').report.job;
    const lastExport = p.run('export.yaml').report.job;
    const failed = p.run('fail.yaml').report.job;
    const killed = runFerry(['run', 'fail.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-part=1' } });
    const interrupted = /job (\S+) started/.exec(killed.stderr)?.[1] as string;
    const recent = p.run('export.yaml').report.job;
    endedDaysAgo(40, seedJob, imported, reimported, oldExport, lastExport, failed, interrupted);
    const before = jobIds();

    const dry = p.ferry('jobs', 'prune', '--older-than', '30d', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would prune ${oldExport} (succeeded`);
    expect(dry.stdout).toContain(`would prune ${lastExport} (succeeded`);
    expect(dry.stdout).toContain(`would prune ${failed} (failed`);
    expect(dry.stdout).toMatch(new RegExp(`kept +${imported}: its backup allows a rollback`));
    expect(dry.stdout).toMatch(new RegExp(`kept +${reimported}: the last success of more`));
    expect(dry.stdout).toMatch(new RegExp(`kept +${seedJob}: the last success of seed`));
    expect(dry.stdout).toContain('3 job(s) would prune');
    expect(dry.stdout).toContain('nothing was deleted (--dry-run)');
    expect(jobIds()).toEqual(before);
    for (const id of before) expect(existsSync(jobDir(id)), id).toBe(true);

    const pruned = p.ferry('jobs', 'prune', '--older-than', '30d', '--json');
    expect(pruned.code, pruned.stderr).toBe(0);
    const report = JSON.parse(pruned.stdout) as { pruned: { id: string }[]; kept: { id: string; reason: string }[] };
    expect(report.pruned.map((j) => j.id).sort()).toEqual([failed, lastExport, oldExport].sort());
    const staying = [seedJob, imported, reimported, interrupted, recent];
    expect(jobIds()).toEqual([...staying].sort());
    for (const id of [oldExport, lastExport, failed]) expect(existsSync(jobDir(id))).toBe(false);
    for (const id of staying) expect(existsSync(jobDir(id))).toBe(true);
    expect(read(p, 'out/users.csv')).toContain('u5'); // outputs are the user's: never touched

    // The kept import can still be rolled back; while that rollback job stays, so does the backup it read.
    const rollback = p.ferry('jobs', 'rollback', imported, '--json');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(p.rows("SELECT user_id FROM users WHERE user_id IN ('u6', 'u7')")).toEqual([]);
    const all = JSON.parse(p.ferry('jobs', 'prune', '--older-than', '30d', '--include-backups', '--json').stdout) as typeof report;
    expect(all.pruned).toEqual([]);
    expect(all.kept.find((k) => k.id === imported)?.reason).toMatch(/^job \S+, which stays, reads its files$/);
    expect(p.ferry('jobs', 'show', interrupted).stdout).toContain('interrupted');
  }, 300_000);

  // A relative path starting with ".." read as outside the jobs folder: the job left the journal, its files (rejects) stayed.
  it('prunes the folder of a job whose id starts with two dots (pipeline file ..x.yaml)', () => {
    p.write('..x.yaml', 'source: { file: seed/users.json }\ntarget: { connection: users, upsert: true }\n');
    const old = p.run('..x.yaml').report.job;
    const last = p.run('..x.yaml').report.job;
    expect(old).toMatch(/^\.\.x-/);
    endedDaysAgo(40, old, last);
    const pruned = p.ferry('jobs', 'prune', '--older-than', '30d', '--include-backups');
    expect(pruned.stdout).toContain(`pruned      ${old} (succeeded`);
    expect(existsSync(jobDir(old))).toBe(false);
    expect(existsSync(jobDir(last))).toBe(true); // ..x's last success
  });

  // Sizes were measured through links: a link to a folder outside counted all it held, and two links to ".." never ended.
  it('measures a job folder without following its links: one leading out, or looping, is neither counted nor walked', () => {
    p.write('again.yaml', 'source: { file: seed/users.json }\ntarget: { connection: users, upsert: true }\n');
    const ids = [p.run('again.yaml').report.job, p.run('again.yaml').report.job, p.run('again.yaml').report.job];
    endedDaysAgo(40, ...ids);
    const outside = join(p.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'big.bin'), '');
    truncateSync(join(outside, 'big.bin'), 2 ** 30);
    symlinkSync(outside, join(jobDir(ids[0]!), 'out'));
    const dry = (): { pruned: { id: string; bytes: number }[] } =>
      JSON.parse(p.ferry('jobs', 'prune', '--older-than', '30d', '--include-backups', '--dry-run', '--json').stdout) as never;
    expect(dry().pruned.find((j) => j.id === ids[0])!.bytes).toBeLessThan(2 ** 20);
    symlinkSync('..', join(jobDir(ids[0]!), 'up'));
    symlinkSync('..', join(jobDir(ids[1]!), 'up'));
    expect(dry().pruned.map((j) => j.id)).toEqual(expect.arrayContaining([ids[0], ids[1]]));
    const pruned = p.ferry('jobs', 'prune', '--older-than', '30d', '--include-backups');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(existsSync(jobDir(ids[0]!))).toBe(false);
    expect(existsSync(join(outside, 'big.bin'))).toBe(true); // a link is deleted, never what it leads to
  });

  it('ferry serve applies ferry.yaml retention: old ended jobs go when it starts', () => {
    p.write('export.yaml', EXPORT);
    const old = p.run('export.yaml').report.job;
    const last = p.run('export.yaml').report.job;
    endedDaysAgo(10, old, last);
    p.write('ferry.yaml', 'retention: { older_than: 7d }\n');
    p.write('pipelines/every-second.yaml', exportPipeline({ file: '../out/s-{job}.ndjson', extra: 'schedule: "* * * * * *"\ntimezone: UTC\n' }));
    const served = p.ferry('serve', '--max-runs', '1');
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toContain('retention: jobs that ended more than 7d ago are pruned now and every hour');
    expect(served.stdout).toContain(`retention: pruned      ${old} (succeeded`);
    expect(jobIds()).not.toContain(old);
    expect(jobIds()).toContain(last); // export.yaml's last success
  }, 240_000);

  it('refuses a bad duration with exit 2', () => {
    const bad = p.ferry('jobs', 'prune', '--older-than', '30x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --older-than "30x": expected a duration of at most 100 years such as 30d');
    expect(p.ferry('jobs', 'prune').code).toBe(2);
    // Past Date's range the cutoff would not compute ("Invalid time value", exit 1).
    const huge = p.ferry('jobs', 'prune', '--older-than', '99999999999999999999m');
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('invalid --older-than "99999999999999999999m": expected a duration of at most 100 years');
  });
});
