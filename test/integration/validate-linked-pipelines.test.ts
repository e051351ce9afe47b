import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry, tempDir } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

const pipeline = (csv: string): string => `source: { file: ${csv} }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n`;

/** `ferry validate` with no file lists pipelines/: a symlinked pipeline was skipped, so a broken one passed CI. */
describe('ferry validate checks symlinked pipelines under pipelines/', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('a linked pipeline is checked (a broken one fails validate), a dangling link is named', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    p.write('pipelines/import.yaml', pipeline('users.csv'));
    const shared = p.write('shared/broken.yaml', pipeline('missing.csv'));
    symlinkSync(shared, join(p.dir, 'pipelines', 'shared.yaml'));
    symlinkSync(join(p.dir, 'nowhere.yaml'), join(p.dir, 'pipelines', 'dangling.yaml'));
    const r = p.ferry('validate');
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')).toEqual([
      `pipelines/dangling.yaml the pipeline file is a symbolic link to ${join(p.dir, 'nowhere.yaml')}, which does not exist`,
      'ok pipelines/import.yaml',
      'pipelines/shared.yaml:1:17 source.file: source file not found: pipelines/missing.csv',
      '',
    ]);
  });

  it('a linked valid pipeline is ok', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    const shared = p.write('shared/import.yaml', pipeline('users.csv'));
    symlinkSync(shared, join(p.dir, 'pipelines', 'import.yaml'));
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/import.yaml\n' });
  });

  // A shared folder of pipelines linked into pipelines/ was not entered: its broken pipeline passed validate.
  it('a linked folder is walked (once; a link to the project itself is not)', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    p.write('pipelines/import.yaml', pipeline('users.csv'));
    p.write('shared/broken.yaml', pipeline('missing.csv'));
    symlinkSync(join(p.dir, 'shared'), join(p.dir, 'pipelines', 'shared'));
    symlinkSync(join(p.dir, 'shared'), join(p.dir, 'pipelines', 'shared-again'));
    symlinkSync(p.dir, join(p.dir, 'pipelines', 'project'));
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'ok pipelines/import.yaml',
      'pipelines/shared/broken.yaml:1:17 source.file: source file not found: pipelines/shared/missing.csv',
      '',
    ]);
  });

  // The project under a folder named "..work": a link to the folder above it read as not holding the project, so validate walked it and listed ferry.yaml.
  it('a link to a folder holding the project is not walked when the path between starts with two dots', () => {
    const t = tempDir('ferry-dots-');
    try {
      const project = join(t.dir, '..work', 'proj');
      mkdirSync(join(project, 'pipelines'), { recursive: true });
      writeFileSync(join(project, 'ferry.yaml'), 'state_dir: .ferry\n');
      writeFileSync(join(project, 'pipelines', 'users.csv'), 'email\na@example.com\n');
      writeFileSync(join(project, 'pipelines', 'import.yaml'), pipeline('users.csv'));
      symlinkSync(t.dir, join(project, 'pipelines', 'up'));
      expect(runFerry(['validate'], { cwd: project })).toMatchObject({ code: 0, stdout: 'ok pipelines/import.yaml\n' });
    } finally {
      t.cleanup();
    }
  });
});
