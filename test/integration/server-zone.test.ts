import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * A schedule without `timezone:` runs in the server's zone. A TZ naming no zone Node can load
 * (a typo, or the right name in the wrong case) made it UTC without a word: a nightly export ran
 * hours off. `ferry serve` and `ferry schedules list` now say so on stderr; a TZ Node applies
 * (an IANA name, a POSIX rule) and schedules that give their zone say nothing.
 */
describe('a TZ that names no loadable zone', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    seed(p);
  });
  afterEach(() => p.cleanup());

  const ferry = (tz: string, ...args: string[]) => runFerry(args, { cwd: p.dir, env: { TZ: tz } });
  const warning = /^warning: TZ="(.+)" names no time zone this process can load: schedules without timezone: run in UTC/m;

  it('is reported by schedules list, for schedules in the server zone only', () => {
    p.write('pipelines/nightly.yaml', exportPipeline({ file: '../out/nightly.json', extra: 'schedule: "0 2 * * *"\n' }));
    for (const tz of ['Foo/Bar', 'Europe/Pariss', 'europe/paris']) {
      const listed = ferry(tz, 'schedules', 'list');
      expect(listed.code, listed.stderr).toBe(0);
      expect(warning.exec(listed.stderr)?.[1]).toBe(tz);
      expect(listed.stdout).toMatch(/^nightly\s+0 2 \* \* \*\s+server\s/m);
    }
    for (const tz of ['Europe/Paris', 'UTC+3', 'EST5EDT', 'Etc/GMT-2']) expect(ferry(tz, 'schedules', 'list').stderr).toBe('');
    p.write('pipelines/nightly.yaml', exportPipeline({ file: '../out/nightly.json', extra: 'schedule: "0 2 * * *"\ntimezone: Europe/Paris\n' }));
    expect(ferry('Foo/Bar', 'schedules', 'list').stderr).toBe('');
  });

  it('is reported by serve when it starts', () => {
    p.write('pipelines/every-second.yaml', exportPipeline({ file: '../out/users-{job}.ndjson', extra: 'schedule: "* * * * * *"\n' }));
    const served = ferry('Foo/Bar', 'serve', '--max-runs', '1');
    expect(served.code, served.stderr).toBe(0);
    expect(warning.exec(served.stderr)?.[1]).toBe('Foo/Bar');
    expect(served.stdout).toContain('stopped after 1 run(s)');
    expect(ferry('Europe/Paris', 'serve', '--max-runs', '1').stderr).toBe('');
  });
});
