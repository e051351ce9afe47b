import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A rollback after a column of the table was renamed or dropped: the check finds every row changed,
 * and `--force` put each row's image back column by column of the table as it is now, so a renamed
 * column's value went nowhere (the new name got NULL) and a dropped one's was lost, and the job
 * succeeded. The rollback now refuses, --force too, naming the columns, and changes nothing; a
 * dropped column whose saved values were all NULL loses nothing, and --force puts the rows back.
 */
let p: TestProject;
afterEach(() => p?.cleanup());

/** Users a (given_name Ann) and b (no family_name); then a job renaming a to Anna and inserting c. Its id. */
function renamingJob(): string {
  p = new TestProject();
  p.write('seed.csv', 'email,given_name\na@x.io,Ann\nb@x.io,Bob\n');
  p.write('seed.yaml', 'source: { file: seed.csv }\ntarget: { connection: users }\n');
  expect(p.run('seed.yaml').code).toBe(0);
  p.write('up.csv', 'email,given_name\na@x.io,Anna\nc@x.io,Cy\n');
  p.write('up.yaml', 'source: { file: up.csv }\ntarget: { connection: users, upsert: true }\n');
  const { code, report } = p.run('up.yaml');
  expect(code).toBe(0);
  expect(report.summary).toMatchObject({ inserted: 1, updated: 1 });
  return report.job;
}

function alter(sql: string): void {
  const db = new Database(join(p.dir, '.ferry/users.db'));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const people = () => p.rows('SELECT * FROM users ORDER BY email');

it.each([
  ['renamed', 'ALTER TABLE users RENAME COLUMN given_name TO first_name'],
  ['dropped', 'ALTER TABLE users DROP COLUMN given_name'],
])('a column %s since: refused with and without --force, naming it, and nothing changes', (_, sql) => {
  const job = renamingJob();
  alter(sql);
  const before = people();
  for (const force of [[], ['--force']]) {
    const r = p.ferry('jobs', 'rollback', job, ...force);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toContain(`cannot roll back job ${job}: [connection:sqlite] reading the rows job ${job} wrote, to check them before any change: `);
    expect(out).toContain(
      'row 1 email="a@x.io": the backup holds its value of column given_name, which table users no longer has (dropped or renamed since the job wrote the row): ' +
        'putting the row back would lose it. Hint: give the table back its columns as the job found them, or put the rows back by hand. Nothing was restored\n',
    );
    expect(out).not.toContain('rolling back job');
    expect(out).not.toMatch(/\n\s+at /);
  }
  expect(people()).toEqual(before);
});

it('a column dropped since whose saved values were all NULL loses nothing: --force puts the rows back', () => {
  const job = renamingJob();
  alter('ALTER TABLE users DROP COLUMN family_name');
  const refused = p.ferry('jobs', 'rollback', job);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('changed since');
  const forced = p.ferry('jobs', 'rollback', job, '--force');
  expect(forced.code, forced.stderr).toBe(0);
  expect(people().map((u) => [u['email'], u['given_name']])).toEqual([
    ['a@x.io', 'Ann'],
    ['b@x.io', 'Bob'],
  ]);
});
