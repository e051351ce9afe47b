import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const pipeline = 'source:\n  connection: users\ntarget:\n  file: out/users.csv\n';

/**
 * Other tools' YAML kept in pipelines/ (a GitHub workflow, a docker-compose file) was listed by
 * `ferry validate` as an invalid pipeline, a schema error per key, failing CI for a file that is
 * no pipeline. Found ones are skipped with a line saying why; named ones are checked as pipelines.
 */
describe('validate and YAML files of other tools under pipelines/', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('skips them with a note, checks the pipelines, and exits as the pipelines do', () => {
    p = new TestProject();
    p.write('pipelines/export.yaml', pipeline);
    p.write('pipelines/.github/workflows/ci.yml', 'name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
    p.write('pipelines/docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
    const r = p.ferry('validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^skipped pipelines\/\.github\/workflows\/ci\.yml: not a Ferry pipeline, it has neither source nor target.*\(its keys: name, on, jobs\)/,
      ),
      expect.stringMatching(/^skipped pipelines\/docker-compose\.yml: not a Ferry pipeline, .*\(its keys: services\)/),
      'ok pipelines/export.yaml',
    ]);
  });

  it('still checks a pipeline whose keys are typos, and a file named on the command line', () => {
    p = new TestProject();
    p.write('pipelines/typo.yaml', 'sourse:\n  connection: users\ntaget:\n  file: out/users.csv\n');
    p.write('pipelines/docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('pipelines/typo.yaml:1:1 sourse: unknown key "sourse" (did you mean "source"?)');
    const named = p.ferry('validate', 'pipelines/docker-compose.yml');
    expect(named.code).toBe(1);
    expect(named.stdout).toContain('pipelines/docker-compose.yml:1:1 services: unknown key "services"');
  });

  it('finds no pipeline (exit 2) when every file is another tool’s', () => {
    p = new TestProject();
    p.write('pipelines/docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
    const r = p.ferry('validate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no pipelines found under pipelines/');
    expect(r.stderr).toContain('1 file(s) of other tools skipped');
  });
});
