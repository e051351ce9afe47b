import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * One job's row of the journal that cannot be read (its plan not JSON: a damaged page, a hand
 * edit). Every command failed with a bare "ferry: Unterminated string in JSON at position 8":
 * `jobs list`, `jobs prune`, and `run` of any pipeline (it lists the pipeline's jobs first).
 */
describe('a damaged job record in the journal', () => {
  let p: TestProject;
  afterEach(() => p?.cleanup());

  it('is named with its job and column by the commands that name it, and left out, said, by those that list', () => {
    p = new TestProject();
    p.write('users.csv', 'email\na@example.com\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\n');
    p.write('other.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\n');
    const damaged = p.run('import.yaml').report.job;
    const sound = p.run('other.yaml').report.job;
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    db.prepare('UPDATE jobs SET plan = ? WHERE id = ?').run('{"jobId": "cut sho', damaged);
    db.close();
    const why = 'its plan is not JSON (Unterminated string in JSON at position 18)';

    const list = p.ferry('jobs', 'list');
    expect(list.stderr).toBe(`the journal's record of job ${damaged} is damaged: ${why} (left out)\n`);
    expect(list.stdout).toContain(sound);
    expect(list.code).toBe(0);

    for (const command of ['show', 'errors', 'resume', 'cancel', 'rollback', 'retry-rejects']) {
      const result = p.ferry('jobs', command, damaged);
      expect(result.stderr, command).toBe(
        `the journal ${join(p.dir, '.ferry/journal.db')} holds a record of job ${damaged} this Ferry cannot read: ${why}. Restore the journal from a backup, or delete that job's row from its jobs table\n`,
      );
      expect(result.code, command).toBe(1);
    }

    const prune = p.ferry('jobs', 'prune', '--older-than', '1m', '--include-backups');
    expect(prune.stdout).toContain(`kept        ${damaged}: its journal record cannot be read: ${why}`);
    expect(prune.code).toBe(0);

    // A plan without a field every command reads: jobs list failed for every job with "Cannot read properties of undefined".
    const planless = new Database(join(p.dir, '.ferry/journal.db'));
    planless.prepare("UPDATE jobs SET plan = '{}' WHERE id = ?").run(damaged);
    planless.close();
    const listed = p.ferry('jobs', 'list');
    expect(listed.stderr).toBe(`the journal's record of job ${damaged} is damaged: its plan has no jobDir (left out)\n`);
    expect(listed.code).toBe(0);

    // A status of a newer Ferry is not guessed at (a resume would take it for a failed job).
    const newer = new Database(join(p.dir, '.ferry/journal.db'));
    newer.prepare("UPDATE jobs SET status = 'archived' WHERE id = ?").run(sound);
    newer.close();
    const resume = p.ferry('jobs', 'resume', sound);
    expect(resume.stderr).toBe(
      `the journal ${join(p.dir, '.ferry/journal.db')} holds a record of job ${sound} this Ferry cannot read: its status "archived" is not one this Ferry knows (a newer Ferry's?). Use the Ferry that wrote it\n`,
    );
    expect(resume.code).toBe(1);

    // Both pipelines still run.
    expect(p.run('import.yaml').code).toBe(0);
    expect(p.run('other.yaml').code).toBe(0);
  }, 60_000);

  // SQLite's "database is locked" named no file, and the journal's hint for it was said only on opening.
  it('names the journal and what to do when its lock is held past the busy timeout', () => {
    p = new TestProject();
    p.write('users.csv', 'email\nnot-an-email\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nvalidate: { schema: user, max_rejects: 0 }\n');
    const { report } = p.run('import.yaml');
    expect(report.status).toBe('failed');
    const holder = new Database(join(p.dir, '.ferry/journal.db'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const resume = p.ferry('jobs', 'resume', report.job);
      expect(resume.stderr).toBe(
        `ferry: the journal ${join(p.dir, '.ferry/journal.db')} cannot be used: database is locked (SQLITE_BUSY). Another process has held its lock for too long: see which ferry process is stuck\n`,
      );
      expect(resume.code).toBe(1);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);

  it('names the job and the step when a recorded step is not JSON', () => {
    p = new TestProject();
    p.write('users.csv', 'email\nnot-an-email\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nvalidate: { schema: user, max_rejects: 0 }\n');
    const { code, report } = p.run('import.yaml');
    expect(report.status).toBe('failed');
    expect(code).toBe(1);
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    expect(db.prepare("UPDATE steps SET output = '{\"cut' WHERE job = ? AND key = 'planJob'").run(report.job).changes).toBe(1);
    db.close();
    const resume = p.ferry('jobs', 'resume', report.job);
    expect(resume.stdout + resume.stderr).toContain(
      `the journal ${join(p.dir, '.ferry/journal.db')} holds a record of job ${report.job} this Ferry cannot read: its recorded step planJob is not JSON (Unterminated string in JSON at position 5)`,
    );
    expect(resume.code).toBe(1);
  }, 60_000);

  // The resume replayed the damaged step as a failed plan step: the job ended failed again with every count zero.
  it('keeps the counts of the batches already done when a resume stops on a damaged step', () => {
    p = new TestProject();
    const emails = ['a', 'b', 'c', 'd', 'e'].map((name) => `${name}@example.com`);
    p.write('users.csv', `email\n${emails.join('\n')}\nnot-an-email\n`);
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 2 }\nvalidate: { schema: user, max_rejects: 0 }\n');
    const { report } = p.run('import.yaml');
    expect(report.status).toBe('failed');
    const counts = (): unknown => JSON.parse(p.ferry('jobs', 'show', report.job, '--json').stdout).summary;
    const before = counts();
    expect(before).toMatchObject({ total: 6, inserted: 5, rejected: 1 });
    for (const step of ['planJob', 'runBatch:1']) {
      const db = new Database(join(p.dir, '.ferry/journal.db'));
      const original = db.prepare('SELECT output FROM steps WHERE job = ? AND key = ?').get(report.job, step) as { output: string };
      db.prepare("UPDATE steps SET output = '{\"cut' WHERE job = ? AND key = ?").run(report.job, step);
      db.close();
      for (let attempt = 0; attempt < 2; attempt++) {
        const resume = p.ferry('jobs', 'resume', report.job);
        expect(resume.stderr, step).toContain(`its recorded step ${step} is not JSON`);
        expect(resume.code, step).toBe(1);
        expect(counts(), step).toEqual(before);
      }
      const mended = new Database(join(p.dir, '.ferry/journal.db'));
      mended.prepare('UPDATE steps SET output = ? WHERE job = ? AND key = ?').run(original.output, report.job, step);
      mended.close();
    }
  }, 60_000);
});
