import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * What no pipeline file shows alone: two scheduled pipelines with one name (schedules apply and
 * serve refuse them, so validate must not pass them), and two exports to one file (the one that
 * finishes last replaces the other's rows). validate checks the pipelines it is given together.
 */
const exportTo = (file: string, extra = '') => `${extra}source: { connection: users, query: '*' }\ntarget:\n  file: ${file}\ncolumns: { email: email }\n`;

describe('validate across pipelines', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    expect(p.ferry('init').code).toBe(0);
  });
  afterEach(() => p.cleanup());

  it('refuses two scheduled pipelines of one name, each at its name, naming the other', () => {
    p.write('pipelines/a.yaml', exportTo('../out/a.csv', 'name: nightly\nschedule: "0 2 * * *"\n'));
    p.write('pipelines/b.yaml', exportTo('../out/b.csv', '# the same job, again\nname: nightly\nschedule: "0 3 * * *"\n'));
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('pipelines/a.yaml:1:7 name: another scheduled pipeline is named "nightly" (pipelines/b.yaml:2:7)');
    expect(r.stdout).toContain('pipelines/b.yaml:2:7 name: another scheduled pipeline is named "nightly" (pipelines/a.yaml:1:7)');
    expect(r.stdout).not.toContain('ok pipelines/a.yaml');
    expect(r.stdout).toContain('ok pipelines/import-users.yaml');
    expect(r.stderr).toContain('2 of 4 pipeline file(s) invalid');
    const apply = p.ferry('schedules', 'apply');
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain('two scheduled pipelines are named "nightly" (pipelines/a.yaml, pipelines/b.yaml)');
  });

  it('names taken from the file (no name:) clash too, and are said at the schedule', () => {
    p.write('pipelines/eu/nightly.yaml', exportTo('../../out/eu.csv', 'schedule: "0 2 * * *"\n'));
    p.write('pipelines/us/nightly.yaml', exportTo('../../out/us.csv', 'schedule: "0 4 * * *"\n'));
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('pipelines/eu/nightly.yaml:1:11 schedule: another scheduled pipeline is named "nightly" (pipelines/us/nightly.yaml:1:11)');
  });

  it('one name for a scheduled and an unscheduled pipeline is not a clash', () => {
    p.write('pipelines/a.yaml', exportTo('../out/a.csv', 'name: nightly\nschedule: "0 2 * * *"\n'));
    p.write('pipelines/b.yaml', exportTo('../out/b.csv', 'name: nightly\n'));
    const r = p.ferry('validate');
    expect(r.stdout).not.toContain('another scheduled pipeline');
    expect(r.code).toBe(0);
  });

  it('warns at both exports writing one file, however each spells it; {job} or another file does not', () => {
    p.write('pipelines/a.yaml', exportTo('../exports/all-{date}.csv'));
    p.write('pipelines/deep/b.yaml', exportTo('../../exports/./all-{date}.csv'));
    p.write('pipelines/c.yaml', exportTo('../exports/all-{date}-{job}.csv'));
    p.write('pipelines/d.yaml', exportTo('../exports/other-{date}.csv'));
    const r = p.ferry('validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "pipelines/a.yaml:3:9 target.file: warning: exports/all-{date}.csv is also the target of pipelines/deep/b.yaml:3:9: each export replaces the file whole, so the one that finishes last drops the other's rows",
    );
    expect(r.stdout).toContain('pipelines/deep/b.yaml:3:9 target.file: warning: exports/all-{date}.csv is also the target of pipelines/a.yaml:3:9');
    expect(r.stdout).toContain('ok pipelines/a.yaml (1 warning(s)');
    for (const quiet of ['c.yaml', 'd.yaml']) expect(r.stdout).toContain(`ok pipelines/${quiet}\n`);
  });

  it('checks only the pipelines it is given against each other', () => {
    p.write('pipelines/a.yaml', exportTo('../exports/same.csv'));
    p.write('pipelines/b.yaml', exportTo('../exports/same.csv'));
    expect(p.ferry('validate', 'pipelines/a.yaml').stdout).not.toContain('warning');
    expect(p.ferry('validate', 'pipelines/a.yaml', 'pipelines/b.yaml').stdout).toContain('is also the target of pipelines/b.yaml');
  });
});
