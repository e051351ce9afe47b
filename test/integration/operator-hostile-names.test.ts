import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A pipeline's name, and so its jobs' ids, come from its file name, which may hold ESC (or a bidi
 * override): the operator commands printed them as they are, so `jobs list` of such a job turned
 * the terminal red (or cleared it).
 */
describe('job ids with terminal control characters in the operator commands', () => {
  let p: TestProject;
  afterEach(() => p?.cleanup());

  it('are shown escaped by jobs list, show, rollback, prune and schedules list', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    const name = 'ev\x1b[31mil\u202e';
    p.write(`pipelines/${name}.yaml`, 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\nschedule: "0 2 * * *"\n');
    const { code, report, stderr } = p.run(`pipelines/${name}.yaml`);
    expect(code, stderr).toBe(0);
    const job = report.job;
    // The id has the file name's ESC as _ (plan-for.ts newJobId); its bidi override, a format
    // character a folder name may hold, is left for the commands to escape.
    expect(job).toMatch(/^ev_\[31mil\u202e-/);
    const shown = job.replace('\u202e', '\\u202e');
    const db = new Database(join(p.dir, '.ferry/journal.db'));
    db.prepare("UPDATE jobs SET ended_at = '2020-01-01T00:00:00.000Z'").run();
    db.close();

    for (const args of [
      ['jobs', 'list'],
      ['jobs', 'show', job],
      ['jobs', 'rollback', job],
      ['jobs', 'prune', '--older-than', '1d', '--dry-run'],
      ['schedules', 'list', '--engine', 'embedded'],
    ]) {
      const result = p.ferry(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      const said = result.stdout + result.stderr;
      expect(said, args[1]).not.toMatch(/[\x1b\u202e]/);
      expect(said, args[1]).toContain(args[0] === 'schedules' ? 'ev\\x1b[31mil\\u202e' : shown);
    }
  }, 60_000);

  it('are shown escaped by ferry run itself ("job <id> started", its summary)', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    const name = 'ev\x1b[31mil\u202e';
    p.write(`pipelines/${name}.yaml`, 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\n');
    const result = p.ferry('run', `pipelines/${name}.yaml`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('started');
    expect(result.stderr).not.toMatch(/[\x1b\u202e]/);
    expect(result.stderr).toContain('ev\\x1b[31mil\\u202e');
  }, 60_000);

  it('are shown escaped by ferry serve, in every line of its log', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    const name = 'ev\x1b[31mil\u202e';
    p.write(`pipelines/${name}.yaml`, 'source: { file: users.csv }\ntarget: { connection: users, key: [email], upsert: true }\nschedule: "* * * * * *"\n');
    const result = p.ferry('serve', '--max-runs', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('stopped after 1 run(s)');
    expect(result.stdout).not.toMatch(/[\x1b\u202e]/);
    expect(result.stdout).toContain('ev\\x1b[31mil\\u202e: run due');
  }, 60_000);
});
