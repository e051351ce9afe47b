import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

const config = (db: string): string => `connections:\n  users: { driver: sqlite, path: ${db}, table: users }\n`;
const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n';

/**
 * Two projects side by side. ferry.yaml is found from the current folder, so a pipeline of the
 * other project, named by path, ran against this project's stores: B's users went into A's
 * database, and the job succeeded.
 */
describe("a pipeline of another project (its own ferry.yaml) is refused, not run against this project's stores", () => {
  let root: TestProject;
  afterEach(() => root.cleanup());

  function projects(): { a: string; b: string } {
    root = new TestProject();
    root.write('a/ferry.yaml', config('a-users.db'));
    root.write('a/pipelines/import.yaml', pipeline);
    root.write('a/pipelines/users.csv', 'email\na@example.com\n');
    root.write('b/ferry.yaml', config('b-users.db'));
    root.write('b/pipelines/import.yaml', pipeline);
    root.write('b/pipelines/users.csv', 'email\nb@example.com\n');
    return { a: join(root.dir, 'a'), b: join(root.dir, 'b') };
  }

  it('run and validate from project A name B and write nothing', () => {
    const { a } = projects();
    const run = runFerry(['run', '../b/pipelines/import.yaml'], { cwd: a });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `../b/pipelines/import.yaml this pipeline belongs to the project of ${join('..', 'b', 'ferry.yaml')}, and the one in use is ferry.yaml`,
    );
    expect(existsSync(join(a, 'a-users.db'))).toBe(false);
    expect(existsSync(join(a, '.ferry'))).toBe(false);
    const validate = runFerry(['validate', '../b/pipelines/import.yaml'], { cwd: a });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('belongs to the project of ../b/ferry.yaml');
  });

  it('from a folder with no ferry.yaml, a project pipeline is refused instead of run on the default store', () => {
    projects();
    const run = runFerry(['run', 'b/pipelines/import.yaml'], { cwd: root.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('none is in use here (no ferry.yaml in this folder or above)');
    expect(existsSync(join(root.dir, '.ferry'))).toBe(false);
  });

  it('runs with --config naming the other project, from its subfolder, and through a symlinked project folder', () => {
    const { a, b } = projects();
    expect(runFerry(['run', '../b/pipelines/import.yaml', '--config', '../b/ferry.yaml'], { cwd: a }).code).toBe(0);
    expect(existsSync(join(b, 'b-users.db'))).toBe(true);
    mkdirSync(join(b, 'pipelines', 'sub'));
    expect(runFerry(['validate', '../import.yaml'], { cwd: join(b, 'pipelines', 'sub') }).code).toBe(0);
    symlinkSync(b, join(root.dir, 'b-link'));
    expect(runFerry(['validate', join(root.dir, 'b-link', 'pipelines', 'import.yaml')], { cwd: b }).code).toBe(0);
    expect(runFerry(['validate', join(b, 'pipelines', 'import.yaml')], { cwd: join(root.dir, 'b-link') }).code).toBe(0);
  });

  it('a pipeline outside any project runs with the config of the current folder', () => {
    const { a } = projects();
    root.write('loose/import.yaml', pipeline);
    root.write('loose/users.csv', 'email\nc@example.com\n');
    expect(runFerry(['run', '../loose/import.yaml'], { cwd: a }).code).toBe(0);
    expect(existsSync(join(a, 'a-users.db'))).toBe(true);
  });
});
