import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * Issue 17, items 1 and 7: a file target must never replace what Ferry keeps (a store, the journal,
 * anything in the state dir, a pipeline, the source), however the path is written; a source that
 * is not a regular file is refused instead of hanging the plan's read.
 */
let p: TestProject;
beforeAll(() => {
  p = new TestProject();
  seed(p);
}, 60_000);
afterAll(() => p.cleanup());

/**
 * validate refuses an export to `file`, naming the path; so does run (plain, or --sample: `run` flags)
 * when given, and the store still holds its users.
 */
function expectRefused(file: string, message: RegExp, run?: string[]): void {
  p.write('export.yaml', exportPipeline({ file, target: '  format: csv\n' }));
  const validate = p.ferry('validate', 'export.yaml');
  expect(validate.code, validate.stdout + validate.stderr).toBe(1);
  expect(validate.stdout).toMatch(message);
  if (!run) return;
  const result = p.ferry('run', 'export.yaml', ...run);
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 5 }]);
  const jobs = p.ferry('jobs', 'list');
  expect(jobs.code, jobs.stderr).toBe(0);
}

describe('a file target that would overwrite what Ferry keeps', { timeout: 120_000 }, () => {
  it.each([
    ['the store', '.ferry/users.db', /target\.file: refusing to write \.ferry\/users\.db: it is inside the state dir/, []],
    ['the journal', '.ferry/journal.db', /refusing to write \.ferry\/journal\.db: it is inside the state dir/, ['--sample', '2']],
    ['a new file in the state dir', '.ferry/jobs/x.csv', /refusing to write \.ferry\/jobs\/x\.csv/, undefined],
    ['the state dir by `..`', 'out/../.ferry/users.db', /refusing to write .*users\.db: it is inside the state dir/, undefined],
    ['the state dir with a placeholder', '.ferry/{date}.csv', /inside the state dir/, undefined],
    ['this pipeline file', 'export.yaml', /it is this pipeline file/, []],
    ['another pipeline', 'seed.yaml', /it is an existing YAML file/, undefined],
  ])('%s: %s', (_what, file, message, run) => {
    expectRefused(file, message, run);
  });

  it('a symlink to the store, a folder linked into the state dir, a hard link to a store outside it', () => {
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n  crm: { driver: sqlite, path: data/crm.db }\n');
    mkdirSync(join(p.dir, 'data'));
    execFileSync('cp', [join(p.dir, '.ferry/users.db'), join(p.dir, 'data/crm.db')]);
    symlinkSync(join(p.dir, '.ferry/users.db'), join(p.dir, 'users-link.csv'));
    symlinkSync('.ferry', join(p.dir, 'exports'));
    linkSync(join(p.dir, 'data/crm.db'), join(p.dir, 'crm-copy.csv'));
    symlinkSync('data/crm.db-wal', join(p.dir, 'dangling.csv'));
    const cases: [string, RegExp][] = [
      ['users-link.csv', /users-link\.csv: it is inside the state dir/],
      ['exports/users.csv', /exports\/users\.csv: it is inside the state dir/],
      ['data/crm.db', /data\/crm\.db: it is the SQLite store of connection "crm"/],
      ['data/../data/./crm.db-wal', /it is the SQLite store of connection "crm" \(its wal file\)/],
      ['crm-copy.csv', /crm-copy\.csv: it is the SQLite store of connection "crm" \(the same file under another name\)/],
      ['dangling.csv', /dangling\.csv: it is the SQLite store of connection "crm" \(its wal file\)/],
      ['ferry.yaml', /it is the project config ferry\.yaml/],
    ];
    for (const [i, [file, message]] of cases.entries()) {
      expectRefused(file, message, i === 0 ? [] : undefined);
    }
    expect(readFileSync(join(p.dir, 'ferry.yaml'), 'utf8')).toContain('crm:');
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n');
  });

  it('an ordinary target next to them is still written', () => {
    p.write('export.yaml', exportPipeline({ file: 'out/{date}-users.csv' }));
    const { code, report } = p.run('export.yaml');
    expect(code).toBe(0);
    expect(report.summary.exported).toBe(5);
    expect(existsSync(join(p.dir, report.artifacts.output!))).toBe(true);
  });

  it('a target that is a symlink to a file replaces the file it points at, and the link stays (it was replaced by a regular file)', () => {
    mkdirSync(join(p.dir, 'shared'), { recursive: true });
    p.write('shared/latest.csv', 'old\n');
    mkdirSync(join(p.dir, 'linked'), { recursive: true });
    symlinkSync('../shared/latest.csv', join(p.dir, 'linked/latest.csv'));
    p.write('export.yaml', exportPipeline({ file: 'linked/latest.csv', sort: '{ by: user_id }', extra: 'columns: { id: user_id }\n' }));
    const { code, report } = p.run('export.yaml');
    expect(code).toBe(0);
    expect(report.artifacts.output).toBe('linked/latest.csv');
    expect(lstatSync(join(p.dir, 'linked/latest.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(p.dir, 'shared/latest.csv'), 'utf8')).toBe('id\r\nu1\r\nu2\r\nu3\r\nu4\r\nu5\r\n');
    expect(readdirSync(join(p.dir, 'shared'))).toEqual(['latest.csv']);
  });
});

describe('a target that is not a regular file', { timeout: 120_000 }, () => {
  it('a named pipe or a directory is refused at validate and run, and stays as it was', () => {
    execFileSync('mkfifo', [join(p.dir, 'feed.csv')]);
    mkdirSync(join(p.dir, 'out-folder.csv'));
    expectRefused('feed.csv', /refusing to write feed\.csv: it is a named pipe, not a regular file, and an export would replace it/, []);
    expectRefused('out-folder.csv', /refusing to write out-folder\.csv: it is a directory/, ['--sample', '2']);
    expect(statSync(join(p.dir, 'feed.csv')).isFIFO()).toBe(true);
    expect(statSync(join(p.dir, 'out-folder.csv')).isDirectory()).toBe(true);
  });

  it('a placeholder target that names a named pipe only once the job starts fails the job, leaving the pipe', () => {
    const today = new Date().toISOString().slice(0, 10);
    // Both dates the job may start on, in case the test straddles midnight (UTC).
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const day of [today, tomorrow]) execFileSync('mkfifo', [join(p.dir, `late-${day}.csv`)]);
    p.write('export.yaml', exportPipeline({ file: 'late-{date}.csv' }));
    expect(p.ferry('validate', 'export.yaml').code).toBe(0);
    const run = p.ferry('run', 'export.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/refusing to write .*late-\d{4}-\d{2}-\d{2}\.csv: it is a named pipe, not a regular file/);
    for (const day of [today, tomorrow]) expect(statSync(join(p.dir, `late-${day}.csv`)).isFIFO()).toBe(true);
  });

  it('a placeholder target that names the store or the pipeline only once the job starts fails the job, leaving them as they were', () => {
    // Validate sees `{date}`, which matches no kept file: only the job knows the name, and renamed
    // its export over the file the link for today pointed at (the store, which no job could open after).
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n  crm: { driver: sqlite, path: data/crm.db }\n');
    mkdirSync(join(p.dir, 'data'), { recursive: true });
    execFileSync('cp', [join(p.dir, '.ferry/users.db'), join(p.dir, 'data/crm.db')]);
    const days = [new Date(), new Date(Date.now() + 86_400_000)].map((d) => d.toISOString().slice(0, 10));
    const cases: [string, (day: string) => void, RegExp][] = [
      ['store', (day) => symlinkSync('.ferry/users.db', join(p.dir, `store-${day}.csv`)), /it is inside the state dir/],
      ['crm', (day) => linkSync(join(p.dir, 'data/crm.db'), join(p.dir, `crm-${day}.csv`)), /it is the SQLite store of connection "crm" \(the same/],
      ['self', (day) => symlinkSync('export.yaml', join(p.dir, `self-${day}.csv`)), /it is this pipeline file/],
    ];
    const kept = (): string[] => ['.ferry/users.db', 'data/crm.db'].map((f) => readFileSync(join(p.dir, f)).toString('hex'));
    const before = kept();
    for (const [name, make, message] of cases) {
      for (const day of days) make(day);
      p.write('export.yaml', exportPipeline({ file: `${name}-{date}.csv` }));
      const pipeline = readFileSync(join(p.dir, 'export.yaml'), 'utf8');
      expect(p.ferry('validate', 'export.yaml').code).toBe(0);
      const run = p.ferry('run', 'export.yaml');
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout + run.stderr).toMatch(new RegExp(`refusing to write .*${name}-\\d{4}-\\d{2}-\\d{2}\\.csv: ${message.source}`));
      expect(readFileSync(join(p.dir, 'export.yaml'), 'utf8')).toBe(pipeline);
      expect(readdirSync(p.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    }
    expect(kept()).toEqual(before);
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 5 }]);
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db }\n');
  });
});

describe('a source that is not a regular file', { timeout: 60_000 }, () => {
  it('a named pipe is refused at validate and run, without hanging', () => {
    execFileSync('mkfifo', [join(p.dir, 'pipe.csv')]);
    p.write('import.yaml', 'source: { file: pipe.csv }\ntarget: { connection: users }\n');
    const validate = p.ferry('validate', 'import.yaml');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('import.yaml:1:17 source.file: the source file is a named pipe, not a file');
    expect(validate.stdout).toContain(': pipe.csv');
    const run = p.ferry('run', 'import.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the source file is a named pipe, not a file');
  });

  it('a pipeline or a ferry.yaml that is not a file is named as such, not as missing or a raw EISDIR', () => {
    execFileSync('mkfifo', [join(p.dir, 'pipe.yaml')]);
    const pipeline = p.ferry('validate', 'pipe.yaml');
    expect(pipeline.stdout.trim()).toBe('pipe.yaml the pipeline file is a named pipe, not a file');
    expect(pipeline.code).toBe(2);
    mkdirSync(join(p.dir, 'conf.d'));
    const config = p.ferry('-c', 'conf.d', 'validate', 'seed.yaml');
    expect(config.stderr.trim()).toBe('conf.d the config file is a directory, not a file');
    expect(config.code).toBe(2);
  });

  it('a directory is refused with a clear message, not a raw EISDIR', () => {
    mkdirSync(join(p.dir, 'folder.csv'));
    p.write('import.yaml', 'source: { file: folder.csv }\ntarget: { connection: users }\n');
    const run = p.ferry('run', 'import.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('import.yaml:1:17 source.file: the source file is a directory, not a file: folder.csv');
    expect(run.stderr).not.toContain('EISDIR');
  });
});
