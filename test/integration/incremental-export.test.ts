import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

interface ShownJob {
  status: string;
  started_at: string;
  summary: { exported: number };
  artifacts: { output: string | null };
  query?: { query: string; written?: string; last_success?: string | null };
}

/** A nightly incremental export: the users changed since the last successful run started. */
const INCREMENTAL = exportPipeline({
  file: 'out/changed-{job}.ndjson',
  query: 'updated_at:[{last_success} TO *]',
  sort: '{ by: user_id }',
  extra: 'columns:\n  id: user_id\n',
});

describe('ferry run: incremental exports with {last_success}', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p);
    p.write('inc.yaml', INCREMENTAL);
  });
  afterEach(() => p.cleanup());

  const show = (id: string): ShownJob => JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as ShownJob;
  const ids = (file: string): string[] =>
    read(p, file)
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id);
  const touch = (user: string, at: string): void => {
    const db = new Database(join(p.dir, '.ferry/users.db'));
    db.prepare('UPDATE users SET updated_at = ? WHERE user_id = ?').run(at, user);
    db.close();
  };

  it('the first run exports everything, the second only the users updated since the first started', () => {
    const first = p.run('inc.yaml');
    expect(first.report).toMatchObject({ status: 'succeeded', summary: { exported: 5 } });
    const firstJob = show(first.report.job);
    expect(firstJob.query).toEqual({ query: 'updated_at:[* TO *]', written: 'updated_at:[{last_success} TO *]', last_success: null });
    expect(p.ferry('jobs', 'show', first.report.job).stdout).toContain('{last_success} = none (no successful job before)');

    // u2 changed after the first run started, u3 just before it: only u2 is new to the second run.
    touch('u2', new Date().toISOString());
    touch('u3', new Date(Date.parse(firstJob.started_at) - 1).toISOString());
    const second = p.run('inc.yaml');
    expect(second.report).toMatchObject({ status: 'succeeded', summary: { total: 1, exported: 1 } });
    expect(ids(second.report.artifacts.output!)).toEqual(['u2']);
    expect(show(second.report.job).query).toEqual({
      query: `updated_at:[${firstJob.started_at} TO *]`,
      written: 'updated_at:[{last_success} TO *]',
      last_success: firstJob.started_at,
    });
    // A sample run is not a run of the nightly export: it does not move the cursor.
    expect(p.run('inc.yaml', '--sample', '1').report.status).toBe('succeeded');
    expect(show(p.run('inc.yaml').report.job).query?.last_success).toBe(show(second.report.job).started_at);
  }, 240_000);

  it('a killed job resumes with the bounds it was planned with, though another job succeeded since', () => {
    const first = show(p.run('inc.yaml').report.job);
    touch('u2', new Date().toISOString());
    const killed = runFerry(['run', 'inc.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-output=1' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1] as string;
    expect(show(id).status).toBe('interrupted');

    touch('u4', new Date().toISOString());
    const between = p.run('inc.yaml');
    expect(ids(between.report.artifacts.output!)).toEqual(['u2', 'u4']);
    expect(show(between.report.job).query?.last_success).toBe(first.started_at);

    const resumed = p.ferry('jobs', 'resume', id, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const job = show(id);
    expect(job).toMatchObject({ status: 'succeeded', summary: { exported: 1 } });
    expect(job.query).toMatchObject({ query: `updated_at:[${first.started_at} TO *]`, last_success: first.started_at });
    expect(ids(job.artifacts.output!)).toEqual(['u2']);
    // The cursor is the newest start of a succeeded job: the resumed job started before `between`.
    touch('u5', new Date().toISOString());
    const next = p.run('inc.yaml');
    expect(show(next.report.job).query?.last_success).toBe(show(between.report.job).started_at);
    expect(ids(next.report.artifacts.output!)).toEqual(['u5']);
  }, 240_000);

  it('now-based bounds are resolved once, at planning, and shown with the query as written', () => {
    p.write(
      'day.yaml',
      exportPipeline({ file: 'out/today.ndjson', query: 'updated_at:[now/d TO *] OR user_id:u1', sort: '{ by: user_id }', extra: 'columns:\n  id: user_id\n' }),
    );
    touch('u3', new Date().toISOString());
    const { report } = p.run('day.yaml');
    expect(ids(report.artifacts.output!)).toEqual(['u1', 'u3']);
    const job = show(report.job);
    const day = job.started_at.slice(0, 10);
    expect(job.query).toEqual({ query: `updated_at:[${day}T00:00:00.000Z TO *] OR user_id:u1`, written: 'updated_at:[now/d TO *] OR user_id:u1' });
    expect(p.ferry('jobs', 'show', report.job).stdout).toContain(`as written: updated_at:[now/d TO *] OR user_id:u1 (dates resolved at ${job.started_at}`);
  });
});
