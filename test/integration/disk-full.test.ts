import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsole } from '../helpers/browser.js';
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

  it("under an export's assembly: the job's own error (run --json, serve, the console) names the file and what to do", () => {
    seed(p, generateUsers(3000, 3));
    p.write('p.yaml', exportPipeline({ file: 'disk/users.csv', extra: 'batch: { size: 500 }\n' }));
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 100 * 1024));
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(1);
    const output = join(p.dir, 'disk/users.csv');
    expect(report.error?.message).toContain(
      `ENOSPC: no space left on device, write — writing the export file ${output} (as .users.csv.${report.job}.partial until it is whole) for job ${report.job}: free space on its disk (or raise the quota), then ferry jobs resume ${report.job} continues it`,
    );
    expect(readdirSync(disk)).toEqual(['ballast']); // no partial file holding the space
  });

  it("under the join of a job's reject parts: rejects.ndjson is named, nothing of it is left, and a resume after freeing space finishes it", () => {
    // A larger disk of its own: the journal's later writes need room once the join gave up its space.
    const big = join(p.dir, 'big');
    mkdirSync(big);
    expect(mount(big, '8m')).toBe(true);
    try {
      p.write('ferry.yaml', 'state_dir: big/state\nconnections:\n  users: { driver: sqlite, path: users.db, table: users }\n');
      // Every row rejected (and allowed to be): its reject parts are written, then joined into rejects.ndjson.
      const rows = Array.from({ length: 6000 }, (_, i) => ({ email: `not-an-email-${i}-${'x'.repeat(150)}` }));
      p.write('u.json', rows);
      p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nbatch: { size: 500 }\nvalidate: { allow_all_rejected: true }\n');
      const free = (): number => Number(spawnSync('df', ['-B1', '--output=avail', big], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
      const before = free();
      const probe = p.run('p.yaml');
      expect(probe.code, probe.stderr).toBe(0);
      const rejects = statSync(join(big, 'state/jobs', probe.report.job, 'rejects.ndjson')).size;
      const used = before - free();
      rmSync(join(big, 'state'), { recursive: true });
      // Room for all the job wrote but half of the joined file.
      writeFileSync(join(big, 'ballast'), Buffer.alloc(free() - (used - Math.round(rejects / 2))));
      const { code, report, stderr } = p.run('p.yaml');
      expect(code).toBe(1);
      expect(report.job, `${JSON.stringify(report)}\n${stderr}`).toBeDefined();
      const file = join(p.dir, 'big/state/jobs', report.job, 'rejects.ndjson');
      expect(report.error?.message).toContain(
        `ENOSPC: no space left on device, write — writing ${file} for job ${report.job}: free space on its disk (or raise the quota), then ferry jobs resume ${report.job} continues it`,
      );
      expect(readdirSync(join(big, 'state/jobs', report.job)).filter((f) => f.startsWith('rejects.ndjson'))).toEqual([]);
      rmSync(join(big, 'ballast'));
      const resumed = p.ferry('jobs', 'resume', report.job);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(statSync(file).size).toBe(rejects);
    } finally {
      unmount(big);
    }
  });

  it('under the user store: its file is named, no batch is half-written, and a resume after freeing space writes every user once', () => {
    // The store alone on the small disk: the journal and the job's files have room elsewhere.
    const store = join(p.dir, 'store');
    mkdirSync(store);
    expect(mount(store, '8m')).toBe(true);
    try {
      p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: store/users.db, table: users }\n');
      p.write(
        'u.json',
        generateUsers(3000, 7).map((u) => ({ email: u['email'], given_name: u['given_name'] })),
      );
      p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nbatch: { size: 200 }\n');
      writeFileSync(join(store, 'ballast'), Buffer.alloc(7 * 1024 * 1024 + 512 * 1024));
      const { code, report } = p.run('p.yaml');
      expect(code).toBe(1);
      expect(report.error?.message).toContain(`database or disk is full. Hint: the disk holding ${join(store, 'users.db')} is full: free space on it`);
      // Whole batches only: the store holds exactly the rows of the batches counted inserted.
      expect(p.rows('SELECT count(*) AS n FROM users', 'store/users.db')).toEqual([{ n: report.summary.inserted }]);
      expect(report.summary.inserted % 200).toBe(0);
      rmSync(join(store, 'ballast'));
      const resumed = p.ferry('jobs', 'resume', report.job);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(p.rows('SELECT count(*) AS n, count(DISTINCT email) AS d FROM users', 'store/users.db')).toEqual([{ n: 3000, d: 3000 }]);
    } finally {
      unmount(store);
    }
  });

  it('under a console upload: a 507 names the folder and what to do, and nothing of the upload is left', async () => {
    p.write('ferry.yaml', 'state_dir: disk/state\nconnections:\n  users: { driver: sqlite, path: users.db, table: users }\n');
    const ui = await startConsole(p.dir, ['--max-upload', '10']);
    try {
      const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(await (await fetch(ui.url)).text())![1]!;
      const res = await fetch(`${ui.url}api/uploads?name=users.csv`, {
        method: 'POST',
        headers: { 'x-ferry-csrf': csrf },
        body: 'email\n' + 'someone@example.com\n'.repeat(100_000), // 2 MB, on a 1 MiB disk
      });
      expect(res.status).toBe(507);
      expect(await res.json()).toEqual({
        error: `no room for "users.csv" in ${join(p.dir, 'disk/state/uploads')} (ENOSPC): free space on its disk (or raise the quota), then upload it again`,
      });
      expect(readdirSync(join(disk, 'state/uploads'))).toEqual([]);
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });

  it("under an export's snapshot: the file is named, nothing of it is left, and a resume after freeing space finishes it", () => {
    seed(p, generateUsers(1500, 3));
    // The journal and the job folders on the small disk, the store and the output elsewhere.
    p.write('ferry.yaml', 'state_dir: disk/state\nconnections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n');
    p.write('p.yaml', exportPipeline({ file: 'out/users.csv' }));
    // Room for the journal (a job start writes ~130 KB of it), not for the snapshot (1500 users of default columns: 130–240 KB left all fail there).
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 180 * 1024));
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

  // The journal and the job's files share the disk: whichever write is refused first, the message
  // names its file and the job, and a resume after freeing space finishes the job.
  it('under the journal and the job files: the file is named, then the job it stopped, and a resume after freeing space finishes it', () => {
    p.write('ferry.yaml', 'state_dir: disk/state\nconnections:\n  users: { driver: sqlite, path: users.db, table: users }\n');
    const rows = generateUsers(3000, 5).map((u) => ({ email: u['email'], given_name: u['given_name'] }));
    p.write('u.json', rows);
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nbatch: { size: 100 }\n');
    // What is left of the disk after the ballast holds the journal's first pages, not the whole job's history.
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(1024 * 1024 - 160 * 1024));
    const failed = p.ferry('run', 'p.yaml');
    expect(failed.code).toBe(1);
    const job = /job (\S+) started/.exec(failed.stderr)![1]!;
    const journal = /ferry: the journal \S*disk\/state\/journal\.db cannot be used: database or disk is full \(SQLITE_FULL\)\. Free space on its disk/;
    if (journal.test(failed.stderr)) {
      expect(failed.stderr).toContain(`job ${job} stopped: once the journal can be written, ferry jobs resume ${job} continues it`);
    } else {
      const output = failed.stdout + failed.stderr;
      expect(output).toMatch(
        new RegExp(`ENOSPC: no space left on device, write — writing \\S*disk/state/jobs/${job}/parts/\\S+\\.ndjson: free space on its disk`),
      );
      expect(output).toContain(`job ${job} failed: ferry jobs resume ${job} continues it`);
    }
    rmSync(join(disk, 'ballast'));
    const resumed = p.ferry('jobs', 'resume', job);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(p.rows('SELECT count(*) AS n FROM users', 'users.db')).toEqual([{ n: 3000 }]);
  });
});
