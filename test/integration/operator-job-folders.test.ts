import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * `ferry jobs errors`, `jobs rollback` and `jobs retry-rejects` read a job's files (its reject
 * report, backup and plan) where the engine's record says they are, bounded as the web console
 * bounds its downloads: inside the state dir's jobs folder, links resolved. And a job whose
 * folder was deleted is said to be so, not to have "no reject report" or "no rejected records".
 */
describe('the job folder of the operator commands', () => {
  let p: TestProject;
  const others: string[] = [];
  afterEach(() => {
    p?.cleanup();
    for (const dir of others.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** An upsert of three users, one rejected: a job with a reject report and a backup. */
  function importedJob(): JobReportJson {
    p = new TestProject();
    p.write('users.csv', 'email,name\na@example.com,A\nnot-an-email,B\nc@example.com,C\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\nvalidate: { schema: user }\n');
    const { code, report, stderr } = p.run('import.yaml');
    expect(code, stderr).toBe(0);
    expect(report.summary).toMatchObject({ inserted: 2, rejected: 1 });
    return report;
  }

  const commands = (job: string): string[][] => [
    ['jobs', 'errors', job],
    ['jobs', 'rollback', job],
    ['jobs', 'retry-rejects', job],
  ];

  it('says the folder of a job is gone, and where it was, when it was deleted', () => {
    const { job } = importedJob();
    rmSync(join(p.dir, '.ferry/jobs', job), { recursive: true });
    for (const args of commands(job)) {
      const result = p.ferry(...args);
      expect(result.stderr, args.join(' ')).toBe(`the folder of job ${job} is gone (.ferry/jobs/${job}): it was deleted, with its reports and backup\n`);
      expect(result.code, args.join(' ')).toBe(1);
    }
    expect(p.rows('SELECT email FROM users ORDER BY email')).toEqual([{ email: 'a@example.com' }, { email: 'c@example.com' }]);
  });

  /** Another folder, outside the project, holding a job folder of its own: what must not be read. */
  function foreignJobFolder(job: string): string {
    const outside = mkdtempSync(join(tmpdir(), 'ferry-foreign-'));
    others.push(outside);
    cpSync(join(p.dir, '.ferry/jobs', job), join(outside, job), { recursive: true });
    const reject = { row: 9, record: { email: 'the root password' }, errors: [{ code: 'FOREIGN', path: 'email', message: 'the root password' }] };
    writeFileSync(join(outside, job, 'rejects.ndjson'), JSON.stringify(reject) + '\n');
    return join(outside, job);
  }

  const expectRefusedEverywhere = (job: string, why: string): void => {
    for (const args of commands(job)) {
      const result = p.ferry(...args);
      expect(result.stderr, args.join(' ')).toBe(`refused: the folder of job ${job} is not inside the state dir's jobs folder (.ferry/jobs): ${why}\n`);
      expect(result.stdout, args.join(' ')).not.toContain('root password');
      expect(result.code, args.join(' ')).toBe(1);
    }
    // Nothing rolled back, nothing retried: the store holds what the job wrote.
    expect(p.rows('SELECT email FROM users ORDER BY email')).toEqual([{ email: 'a@example.com' }, { email: 'c@example.com' }]);
    expect(p.ferry('jobs', 'list', '--json').stdout.trim().split('\n')).toHaveLength(1);
  };

  it('refuses a journal record that names a job folder outside the state dir', () => {
    const { job } = importedJob();
    const foreign = foreignJobFolder(job);
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    const row = db.prepare('SELECT plan, artifacts FROM jobs WHERE id = ?').get(job) as { plan: string; artifacts: string };
    const plan = { ...(JSON.parse(row.plan) as object), jobDir: foreign };
    const artifacts = { ...(JSON.parse(row.artifacts) as object), rejectsFile: join(foreign, 'rejects.ndjson') };
    db.prepare('UPDATE jobs SET plan = ?, artifacts = ? WHERE id = ?').run(JSON.stringify(plan), JSON.stringify(artifacts), job);
    db.close();
    expectRefusedEverywhere(job, `its record names ${relative(p.dir, foreign)}`);
  });

  it('refuses a job folder replaced by a link leading out of the state dir', () => {
    const { job } = importedJob();
    const foreign = foreignJobFolder(job);
    const jobDir = join(p.dir, '.ferry/jobs', job);
    rmSync(jobDir, { recursive: true });
    symlinkSync(foreign, jobDir);
    expectRefusedEverywhere(job, `.ferry/jobs/${job} is a link leading out`);
  });

  // The record was all that named the folder: prune of an old job whose row named another job's folder deleted that one's files.
  it("jobs prune deletes only a job's own folder, never the folder its record names instead", () => {
    const { job: old } = importedJob();
    // The newer job, the pipeline's last success, stays; the older one's record names its folder.
    const { report: victim } = p.run('import.yaml');
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    const row = db.prepare('SELECT plan FROM jobs WHERE id = ?').get(old) as { plan: string };
    const plan = { ...(JSON.parse(row.plan) as object), jobDir: join(p.dir, '.ferry/jobs', old, '..', victim.job) };
    db.prepare("UPDATE jobs SET plan = ?, ended_at = '2020-01-01T00:00:00.000Z' WHERE id = ?").run(JSON.stringify(plan), old);
    db.close();
    const prune = p.ferry('jobs', 'prune', '--older-than', '1d', '--include-backups');
    expect(prune.stdout).toContain(`pruned      ${old}`);
    expect(readFileSync(join(p.dir, '.ferry/jobs', victim.job, 'rejects.ndjson'), 'utf8')).toContain('not-an-email');
  });

  it('jobs resume refuses a job whose record names a folder outside the state dir: the resume would write there', () => {
    p = new TestProject();
    p.write('users.csv', 'email\nnot-an-email\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nvalidate: { schema: user, max_rejects: 0 }\n');
    const { report } = p.run('import.yaml');
    expect(report.status).toBe('failed');
    const outside = mkdtempSync(join(tmpdir(), 'ferry-foreign-'));
    others.push(outside);
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    const row = db.prepare('SELECT plan FROM jobs WHERE id = ?').get(report.job) as { plan: string };
    db.prepare('UPDATE jobs SET plan = ? WHERE id = ?').run(JSON.stringify({ ...(JSON.parse(row.plan) as object), jobDir: outside }), report.job);
    db.close();
    const resume = p.ferry('jobs', 'resume', report.job);
    expect(resume.stderr).toBe(
      `refused: the folder of job ${report.job} is not inside the state dir's jobs folder (.ferry/jobs): its record names ${relative(p.dir, outside)}\n`,
    );
    expect(resume.code).toBe(1);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('jobs errors says which record of a damaged report is not a reject', () => {
    const { job } = importedJob();
    writeFileSync(join(p.dir, '.ferry/jobs', job, 'rejects.ndjson'), '{"row":3,"errors":[]}\n{"row":9}\n');
    const result = p.ferry('jobs', 'errors', job);
    expect(result.stderr).toBe(`.ferry/jobs/${job}/rejects.ndjson: record 2 is not a reject (a row number and a list of errors): the report is damaged\n`);
    expect(result.code).toBe(1);
  });

  it("refuses a job's report that is a link leading out of its folder", () => {
    const { job } = importedJob();
    const foreign = foreignJobFolder(job);
    const report = join(p.dir, '.ferry/jobs', job, 'rejects.ndjson');
    renameSync(report, `${report}.was`);
    symlinkSync(join(foreign, 'rejects.ndjson'), report);
    for (const args of [commands(job)[0]!, commands(job)[2]!]) {
      const result = p.ferry(...args);
      expect(result.stderr, args.join(' ')).toBe(`refused: rejects.ndjson is not inside the folder of job ${job}\n`);
      expect(result.code, args.join(' ')).toBe(1);
    }
    expect(readFileSync(`${report}.was`, 'utf8')).toContain('not-an-email');
  });
});
