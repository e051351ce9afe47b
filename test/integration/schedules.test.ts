import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFerry } from '../helpers/cli.js';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/** `ferry serve` on the embedded engine: real cron timing (every second), ended by --max-runs. */
describe('ferry serve and ferry schedules list', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p);
  });
  afterEach(() => p.cleanup());

  const jobs = (): JobReportJson[] =>
    p
      .ferry('jobs', 'list', '--json')
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JobReportJson);

  it('runs a schedule when it is due, records the job, and lists the next run', () => {
    p.write(
      'pipelines/every-second.yaml',
      exportPipeline({
        file: '../out/users-{job}.ndjson',
        sort: '{ by: user_id }',
        extra: 'columns:\n  id: user_id\nschedule: "* * * * * *"\ntimezone: UTC\n',
      }),
    );
    const served = p.ferry('serve', '--max-runs', '1');
    expect(served.stderr).toBe('');
    expect(served.code).toBe(0);
    const job = /every-second: run due \S+ started as job (\S+)/.exec(served.stdout)?.[1];
    expect(job, served.stdout).toMatch(/^every-second-\d{8}T\d{6}-[0-9a-f]{12}$/);
    expect(served.stdout).toMatch(new RegExp(`every-second: job ${job} succeeded \\(total 5, exported 5, .*\\); output .*users-${job}\\.ndjson`));
    expect(served.stdout).toContain('stopped after 1 run(s)');

    const listed = jobs().filter((j) => j.pipeline === 'every-second');
    expect(listed).toMatchObject([{ job, status: 'succeeded', summary: { total: 5, exported: 5 }, artifacts: { output: `out/users-${job}.ndjson` } }]);
    expect(read(p, `out/users-${job}.ndjson`)).toBe(['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => `{"id":"${id}"}\n`).join(''));

    const list = p.ferry('schedules', 'list');
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^PIPELINE\s+CRON\s+TIMEZONE\s+NEXT RUN\s+LAST RUN$/);
    // Due every second, so by now the next run may already be one missed since serve stopped.
    const next = '(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z|on start \\(missed run\\))';
    expect(row).toMatch(new RegExp(`^every-second\\s+\\* \\* \\* \\* \\* \\*\\s+UTC\\s+${next}\\s+\\S+ \\(${job}\\)$`));
  });

  it('makes up a run missed while not serving, once, on start (catch_up: once)', () => {
    p.write('pipelines/yearly.yaml', exportPipeline({ file: '../out/yearly.json', extra: 'schedule: "0 0 1 1 *"\ntimezone: UTC\n' }));
    expect(p.ferry('schedules', 'list', '--json').stdout.trim()).toBe(
      JSON.stringify({ pipeline: 'yearly', cron: '0 0 1 1 *', timezone: 'UTC', next_run: nextNewYear(), catch_up: 'once', last_run: null, last_job: null }),
    );
    const journal = new Database(join(p.dir, '.ferry/journal.db'));
    journal.prepare(`INSERT INTO schedules (pipeline, last_run_at, last_job) VALUES ('yearly', '2020-01-01T00:00:00.000Z', 'old-job')`).run();
    journal.close();
    expect(JSON.parse(p.ferry('schedules', 'list', '--json').stdout)).toMatchObject({ next_run: 'on start (missed run)', last_job: 'old-job' });

    const served = p.ferry('serve', 'pipelines/yearly.yaml', '--max-runs', '1');
    expect(served.code).toBe(0);
    expect(served.stdout).toContain('yearly: missed the run due 2021-01-01T00:00:00.000Z while not serving; running it once now (catch_up: once)');
    const job = jobs().find((j) => j.pipeline === 'yearly');
    expect(job).toMatchObject({ status: 'succeeded', summary: { exported: 5 } });
    expect(existsSync(join(p.dir, 'out/yearly.json'))).toBe(true);
    expect(JSON.parse(p.ferry('schedules', 'list', '--json').stdout)).toMatchObject({ next_run: nextNewYear(), last_job: job!.job });
  });

  it('a pipeline whose schedule changes or goes while serving is not run on the old timing', async () => {
    const pipeline = (schedule: string) => exportPipeline({ file: '../out/users-{job}.ndjson', extra: `${schedule}timezone: UTC\n` });
    p.write('pipelines/every-second.yaml', pipeline('schedule: "* * * * * *"\n'));
    const child = startFerry(['serve', '--max-runs', '3'], { cwd: p.dir });
    let stdout = '';
    const seen = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void (stdout.includes(text) && (child.stdout.off('data', onData), resolve()));
        const onData = (d: Buffer): void => ((stdout += d.toString()), check());
        child.stdout.on('data', onData);
        check();
      });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await seen(' succeeded (');
    p.write('pipelines/every-second.yaml', pipeline('schedule: "0 0 1 1 *"\n'));
    await seen('the schedule is now "0 0 1 1 *", not the "* * * * * *" being served: not run; restart ferry serve');
    p.write('pipelines/every-second.yaml', pipeline(''));
    await seen('the pipeline has no schedule: any more');
    expect(await exit).toBe(0);
    expect(jobs().filter((j) => j.pipeline === 'every-second')).toHaveLength(1);
  }, 30_000);

  it('says so when no pipeline has a schedule', () => {
    const served = p.ferry('serve');
    expect(served.code).toBe(1);
    expect(served.stderr).toContain('no pipeline with a schedule: to serve');
  });
});

function nextNewYear(): string {
  return `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`;
}
