import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * A full disk while a job writes: the message names where (the journal's file, or the job's folder
 * and output, since a write to an open file reports no path) and what to do — free space, then
 * `ferry jobs resume <id>` — and the resume finishes the job. A real full file system: a 1 MiB
 * tmpfs, which needs root (mount); skipped where it cannot be mounted.
 */

const mount = (dir: string, size: string): boolean => spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
const unmount = (dir: string): void => void spawnSync('umount', [dir]);

const tmpfsWorks = ((): boolean => {
  const p = new TestProject();
  try {
    const dir = join(p.dir, 'probe');
    mkdirSync(dir);
    if (!mount(dir, '64k')) return false;
    unmount(dir);
    return true;
  } finally {
    p.cleanup();
  }
})();

describe.skipIf(!tmpfsWorks)('a full disk', () => {
  let p: TestProject;
  let disk: string;
  beforeEach(() => {
    p = new TestProject();
    disk = join(p.dir, 'disk');
    mkdirSync(disk);
    expect(mount(disk, '1m')).toBe(true);
  });
  afterEach(() => {
    unmount(disk);
    p.cleanup();
  });

  it('under an export: the job folder and the output are named, and a resume after freeing space finishes it', () => {
    seed(p, generateUsers(3000, 3));
    p.write('p.yaml', exportPipeline({ file: 'disk/users.csv', extra: 'batch: { size: 500 }\n' }));
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 100 * 1024));
    const failed = p.ferry('run', 'p.yaml');
    expect(failed.code).toBe(1);
    const job = /job (\S+) started/.exec(failed.stderr)![1]!;
    expect(failed.stderr).toContain(
      `job ${job} failed writing a file (ENOSPC): it writes its files under .ferry/jobs/${job} and its output to disk/users.csv; free space there (or raise the quota), then ferry jobs resume ${job} continues it`,
    );
    rmSync(join(disk, 'ballast'));
    const resumed = p.ferry('jobs', 'resume', job);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(read(p, 'disk/users.csv').trimEnd().split('\n')).toHaveLength(3001);
  });

  it("under an export's snapshot: the file is named, nothing of it is left, and a resume after freeing space finishes it", () => {
    seed(p, generateUsers(1500, 3));
    // The journal and the job folders on the small disk, the store and the output elsewhere.
    p.write('ferry.yaml', 'state_dir: disk/state\nconnections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n');
    p.write('p.yaml', exportPipeline({ file: 'out/users.csv' }));
    // Room for the journal, not for the snapshot (about 200 KB of default columns).
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 120 * 1024));
    const failed = p.ferry('run', 'p.yaml');
    expect(failed.code).toBe(1);
    const job = /job (\S+) started/.exec(failed.stderr)![1]!;
    expect(failed.stdout).toMatch(
      new RegExp(`cannot write the job's snapshot \\S*disk/state/jobs/${job}/snapshot\\.db \\(database or disk is full, SQLITE_FULL\\): free space`),
    );
    expect(readdirSync(join(disk, 'state', 'jobs', job)).filter((f) => f.startsWith('snapshot'))).toEqual([]);
    rmSync(join(disk, 'ballast'));
    const resumed = p.ferry('jobs', 'resume', job);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(read(p, 'out/users.csv').trimEnd().split('\n')).toHaveLength(1501);
  });

  it('under the journal: its file is named, then the job it stopped, and a resume after freeing space finishes it', () => {
    p.write('ferry.yaml', 'state_dir: disk/state\nconnections:\n  users: { driver: sqlite, path: users.db, table: users }\n');
    const rows = generateUsers(3000, 5).map((u) => ({ email: u['email'], given_name: u['given_name'] }));
    p.write('u.json', rows);
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nbatch: { size: 100 }\n');
    // What is left of the disk after the ballast holds the journal's first pages, not the whole job's history.
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 160 * 1024));
    const failed = p.ferry('run', 'p.yaml');
    expect(failed.code).toBe(1);
    const job = /job (\S+) started/.exec(failed.stderr)![1]!;
    expect(failed.stderr).toMatch(
      /ferry: the journal \S*disk\/state\/journal\.db cannot be used: database or disk is full \(SQLITE_FULL\)\. Free space on its disk/,
    );
    expect(failed.stderr).toContain(`job ${job} stopped: once the journal can be written, ferry jobs resume ${job} continues it`);
    rmSync(join(disk, 'ballast'));
    const resumed = p.ferry('jobs', 'resume', job);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(p.rows('SELECT count(*) AS n FROM users', 'users.db')).toEqual([{ n: 3000 }]);
  });
});
