import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * A rollback puts rows back into the table its job wrote. When that table (or its whole store
 * file) is gone, there is nothing to put them back into: the rollback says so, and creates none.
 */
let p: TestProject;
afterEach(() => p?.cleanup());

const store = () => join(p.dir, '.ferry/users.db');

/** 20 users seeded, then an upsert that updates 5 of them and inserts 5: its id. */
function upsertJob(): string {
  p = new TestProject();
  p.write('seed.json', generateUsers(20, 1));
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  expect(p.run('seed.yaml').code).toBe(0);
  p.write(
    'up.json',
    generateUsers(25, 1)
      .slice(15)
      .map((u) => ({ ...u, given_name: 'Changed' })),
  );
  p.write('up.yaml', 'source: { file: up.json }\ntarget: { connection: users, upsert: true }\n');
  const { code, report } = p.run('up.yaml');
  expect(code).toBe(0);
  expect(report.summary).toMatchObject({ inserted: 5, updated: 5 });
  return report.job;
}

function tables(): string[] {
  const db = new Database(store(), { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
  } finally {
    db.close();
  }
}

describe('ferry jobs rollback of a job whose table is gone', () => {
  it.each([[[]], [['--force']]])('%j: a dropped table is said to be gone, not every row "deleted since", and is not created again', (flags) => {
    const job = upsertJob();
    const db = new Database(store());
    db.exec('DROP TABLE users');
    db.close();
    const result = p.ferry('jobs', 'rollback', job, ...flags);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toMatch(
      /table users does not exist in the store of connection users: it was dropped since the job wrote it\. .*Nothing was restored\n$/,
    );
    expect(result.stderr).not.toMatch(/deleted since/);
    expect(tables()).not.toContain('users');
  });

  it.each([[[]], [['--force']]])('%j: a deleted store file is said to be gone, and no new one is made with the saved rows', (flags) => {
    const job = upsertJob();
    rmSync(store());
    rmSync(`${store()}-wal`, { force: true });
    rmSync(`${store()}-shm`, { force: true });
    const result = p.ferry('jobs', 'rollback', job, ...flags);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toMatch(/the store file does not exist, and reading creates none: the file of connection users was deleted or moved since/);
    expect(existsSync(store())).toBe(false);
  });
});
