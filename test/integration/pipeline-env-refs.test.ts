import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/** `${VAR}` is read in ferry.yaml only: in a pipeline's path it said "unknown placeholder {OUT}", or "not found" with no why. */
describe('${VAR} in a pipeline path says it is not read from the environment there', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('in target.file and in a source.file that is not found, at the ${', () => {
    p = new TestProject();
    p.write('pipelines/export.yaml', 'source: { connection: users }\ntarget: { file: "${OUT}/users.csv" }\n');
    p.write('pipelines/import.yaml', 'source: { file: "${DATA}/users.csv" }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n');
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      'pipelines/export.yaml:2:18 target.file: ${OUT} is not read from the environment in a pipeline (only in ferry.yaml): an output path may use {date} and {job}',
      'pipelines/import.yaml:1:17 source.file: source file not found: pipelines/${DATA}/users.csv; ${DATA} is not read from the environment in a pipeline (only in ferry.yaml): write the path itself',
    ]);
  });
});
