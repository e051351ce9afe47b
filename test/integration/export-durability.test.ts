import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { dated, exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/** The columns that make an export importable and complete: the defaults plus the metadata. */
const ROUND_TRIP = 'columns:\n  defaults: true\n  user_metadata: user_metadata\n  app_metadata: app_metadata\nbatch: { size: 2 }\n';

describe('exports: round trip, atomic output, validation', () => {
  const projects: TestProject[] = [];
  const project = (): TestProject => {
    const p = new TestProject();
    projects.push(p);
    return p;
  };
  let p: TestProject;
  beforeEach(() => {
    p = project();
    seed(p);
  });
  afterEach(() => projects.splice(0).forEach((x) => x.cleanup()));

  it('round trip: export JSON → import into an empty store → export again gives the identical file', () => {
    const pipeline = exportPipeline({ file: 'out/users.json', sort: '{ by: created_at, order: desc }', extra: ROUND_TRIP });
    p.write('export.yaml', pipeline);
    const first = read(p, p.run('export.yaml').report.artifacts.output!);
    expect(JSON.parse(first)).toHaveLength(5);

    const q = project();
    q.write('seed/users.json', first);
    q.write('import.yaml', 'source: { file: seed/users.json }\ntarget: { connection: users }\n');
    const imported = q.run('import.yaml');
    expect(imported.report.summary).toMatchObject({ total: 5, inserted: 5, rejected: 0 });
    q.write('export.yaml', pipeline);
    expect(read(q, q.run('export.yaml').report.artifacts.output!)).toBe(first);
  });

  it('an export killed while assembling its file leaves nothing at the target path; resume completes it', () => {
    p.write(
      'export.yaml',
      exportPipeline({ file: 'out/users.csv', sort: '{ by: user_id }', extra: 'columns:\n  id: user_id\n  email: email\nbatch: { size: 2 }\n' }),
    );
    // Three parts: killed at the second, after the header and the first part reached the temporary file.
    const killed = runFerry(['run', 'export.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=2' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1];
    expect(id).toBeDefined();
    expect(existsSync(join(p.dir, 'out/users.csv'))).toBe(false);
    expect(readdirSync(join(p.dir, 'out'))).toEqual([`.users.csv.${id}.partial`]);
    expect(show(p, id!).status).toBe('interrupted');

    const resumed = p.ferry('jobs', 'resume', id!, '--json');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as JobReportJson;
    expect(report).toMatchObject({ status: 'succeeded', summary: { total: 5, exported: 5 }, artifacts: { output: 'out/users.csv' } });
    expect(read(p, 'out/users.csv')).toBe('id,email\r\nu1,ada@x.io\r\nu2,bob@x.io\r\nu3,cy@x.io\r\nu4,dee@x.io\r\nu5,eve@x.io\r\n');
    expect(readdirSync(join(p.dir, 'out'))).toEqual(['users.csv']);
    expect(show(p, id!).artifacts.output).toBe('out/users.csv');
  });

  it('cancelling an export killed while assembling its file removes the whole or part copy the kill left', () => {
    const extra = 'columns:\n  id: user_id\n  email: email\nbatch: { size: 2 }\n';
    p.write('export.yaml', exportPipeline({ file: 'out/users.csv', sort: '{ by: user_id }', extra }));
    const killed = runFerry(['run', 'export.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=2' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)![1]!;
    expect(readdirSync(join(p.dir, 'out'))).toEqual([`.users.csv.${id}.partial`]);
    const cancelled = p.ferry('jobs', 'cancel', id);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(show(p, id).status).toBe('cancelled');
    expect(readdirSync(join(p.dir, 'out'))).toEqual([]);
  });

  it('a resume that cannot write where a killed assembly wrote fails without leaving the whole or part copy the kill left', () => {
    const extra = 'columns:\n  id: user_id\n  email: email\nbatch: { size: 2 }\nretry: { max_attempts: 1 }\n';
    p.write('export.yaml', exportPipeline({ file: 'out/users-{date}.csv', sort: '{ by: user_id }', extra }));
    const killed = runFerry(['run', 'export.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=2' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)![1]!;
    expect(readdirSync(join(p.dir, 'out'))).toEqual([expect.stringMatching(/\.partial$/)]);
    // The day's name is now a named pipe: validate sees only the template, so the job's finalize finds it.
    execFileSync('mkfifo', [join(p.dir, dated('out/users-{date}.csv', { job: id }))]);
    const resumed = p.ferry('jobs', 'resume', id);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout + resumed.stderr).toMatch(/refusing to write .*users-\d{4}-\d{2}-\d{2}\.csv: it is a named pipe/);
    expect(readdirSync(join(p.dir, 'out'))).toEqual([expect.stringMatching(/^users-\d{4}-\d{2}-\d{2}\.csv$/)]);
  });

  it('an export that runs out of disk while assembling its file fails, claims no rows exported and leaves no partial file', () => {
    const extra = 'columns:\n  id: user_id\n  email: email\nbatch: { size: 2 }\nretry: { max_attempts: 2, initial_interval: 10ms }\n';
    p.write('export.yaml', exportPipeline({ file: 'out/users.csv', sort: '{ by: user_id }', extra }));
    // A full disk cannot be made without root: the write of the first part throws ENOSPC instead.
    const full = runFerry(['run', 'export.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=errno:ENOSPC' } });
    expect(full.code).toBe(1);
    const report = JSON.parse(full.stdout) as JobReportJson & { error: { message: string } };
    expect(report).toMatchObject({ status: 'failed', summary: { total: 5, rejected: 0, exported: 0 }, artifacts: { output: null } });
    expect(report.error.message).toContain('ENOSPC');
    expect(show(p, report.job).summary.exported).toBe(0);
    // Nothing at the target path, and no partial file keeping the space the next try needs.
    expect(readdirSync(join(p.dir, 'out'))).toEqual([]);
  });

  it('a failed export writes no file: a mapping that cannot run fails the job before assembling', () => {
    p.write(
      'export.yaml',
      exportPipeline({ file: 'out/users.csv', extra: 'columns:\n  id: user_id\n  plan: $uppercase(user_metadata.plan)\nvalidate:\n  max_rejects: 0\n' }),
    );
    const { code, report } = p.run('export.yaml');
    expect(code).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.artifacts.output).toBeNull();
    expect(existsSync(join(p.dir, 'out'))).toBe(false);
  });

  it('ferry validate reports an unknown query or sort field at its line and column; ferry run refuses it', () => {
    p.write('bad.yaml', exportPipeline({ file: 'out/x.csv', query: '_exists_:email AND nick:bob', sort: '{ by: user_metadata.pl@n }' }));
    const result = p.ferry('validate', 'bad.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^bad\.yaml:3:30 source\.query: unknown field "nick"; known fields: user_id, email, /),
      'bad.yaml:4:29 source.sort.by: invalid key "pl@n" in the JSON path user_metadata.pl@n: keys are letters, digits, _ and -',
    ]);
    const run = p.ferry('run', 'bad.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.yaml:3:30 source.query: unknown field "nick"');
  });

  it('validates a query against the built-in table when the store does not exist yet, creating nothing', () => {
    const q = project();
    q.write('ok.yaml', exportPipeline({ file: 'out/x.csv', query: 'user_metadata.plan:pro AND logins_count:[1 TO *]', sort: '{ by: last_login }' }));
    q.write('bad.yaml', exportPipeline({ file: 'out/x.csv', query: 'shoe_size:44' }));
    const result = q.ferry('validate', 'ok.yaml', 'bad.yaml');
    expect(result.stdout.trim().split('\n')).toEqual(['ok ok.yaml', expect.stringMatching(/^bad\.yaml:3:11 source\.query: unknown field "shoe_size"/)]);
    expect(existsSync(join(q.dir, '.ferry'))).toBe(false);
  });
});

function show(p: TestProject, id: string): JobReportJson {
  return JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as JobReportJson;
}
