import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { exitWithin, startFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The rollback's check finds the job's table; the table is dropped before the rollback job's
 * first batch. Opened to write, the job created the built-in table again, empty, and with --force
 * inserted the saved rows of the updated users into it as if it were the job's table. A rollback
 * creates no table: the job fails naming the table, and the store is left without it.
 */
let p: TestProject | undefined;
afterEach(() => p?.cleanup());

/** 20 users seeded, then an upsert that updates 5 of them and inserts 5: its id. */
function upsertJob(project: TestProject): string {
  project.write('seed.json', generateUsers(20, 1));
  project.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  expect(project.run('seed.yaml').code).toBe(0);
  project.write(
    'up.json',
    generateUsers(25, 1)
      .slice(15)
      .map((u) => ({ ...u, given_name: 'Changed' })),
  );
  project.write('up.yaml', 'source: { file: up.json }\ntarget: { connection: users, upsert: true }\n');
  const { code, report } = project.run('up.yaml');
  expect(code).toBe(0);
  expect(report.summary).toMatchObject({ inserted: 5, updated: 5 });
  return report.job;
}

interface Held {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr. */
  output: () => string;
}

/** Starts `ferry jobs rollback`, held once its check passed (failpoint `rollback-checked`); resolves when it is held there. */
async function heldRollback(project: TestProject, job: string, flags: string[]): Promise<Held> {
  const child = startFerry(['jobs', 'rollback', job, ...flags], { cwd: project.dir, env: { FERRY_FAILPOINTS: 'rollback-checked=pause:4000' } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  for (let waited = 0; !output.includes('rolling back job'); waited += 50) {
    if (waited > 60_000 || child.exitCode !== null) throw new Error(`the rollback did not reach its check's end: ${output}`);
    await sleep(50);
  }
  return { child, output: () => output };
}

/** Waits for the held rollback to end: its exit code and everything it printed. */
async function ended(held: Held): Promise<{ code: number | null; output: string }> {
  const { code, hung } = await exitWithin(held.child, 60_000);
  expect(hung).toBe(false);
  return { code, output: held.output() };
}

const failedNamingTable = (output: string): void => {
  expect(output).toMatch(/table users does not exist in/);
  expect(output).toMatch(/A rollback puts rows back into the table its job wrote, and creates neither table nor store: none was created/);
};

describe('ferry jobs rollback of a SQLite table dropped after its check', () => {
  it.each([[[]], [['--force']]])('%j: the rollback job fails naming the table, and creates none', async (flags) => {
    p = new TestProject();
    const job = upsertJob(p);
    const held = await heldRollback(p, job, flags);
    const store = join(p.dir, '.ferry/users.db');
    const db = new Database(store);
    db.exec('DROP TABLE users');
    db.close();
    const { code, output } = await ended(held);
    expect(code, output).not.toBe(0);
    failedNamingTable(output);
    const after = new Database(store, { readonly: true });
    try {
      expect(after.prepare("SELECT name FROM sqlite_schema WHERE name = 'users'").all()).toEqual([]);
    } finally {
      after.close();
    }
  });

  it('a store file deleted after the check: the rollback job fails naming it, and makes no new one', async () => {
    p = new TestProject();
    const job = upsertJob(p);
    const held = await heldRollback(p, job, ['--force']);
    const store = join(p.dir, '.ferry/users.db');
    for (const file of [store, `${store}-wal`, `${store}-shm`]) rmSync(file, { force: true });
    const { code, output } = await ended(held);
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/the store file of connection users does not exist: it was deleted or moved since the rollback's check read it/);
    expect(existsSync(store)).toBe(false);
  });
});

const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('ferry jobs rollback of a PostgreSQL table dropped after its check', () => {
  const server = usePostgresServer({ passwordEnv });

  it.each([[[]], [['--force']]])('%j: the rollback job fails naming the table, and creates none', async (flags) => {
    const database = await server().createDatabase();
    p = new TestProject();
    p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv));
    const job = upsertJob(p);
    // Connected before the rollback starts: only the DROP runs in its held window.
    const raw = await rawClient(server().url(database));
    try {
      const held = await heldRollback(p, job, flags);
      await raw.query('DROP TABLE users');
      const { code, output } = await ended(held);
      expect(code, output).not.toBe(0);
      failedNamingTable(output);
      expect(output).not.toContain(server().password);
      expect((await raw.query("SELECT to_regclass('users') AS t")).rows).toEqual([{ t: null }]);
    } finally {
      await raw.end();
    }
  });
});
