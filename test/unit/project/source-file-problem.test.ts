import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceFileProblem } from '../../../src/project/load-pipeline.js';
import { TestProject } from '../../helpers/project.js';

/**
 * A source path that is a symbolic link going nowhere: a dangling one was "source file not found"
 * of a file `ls` lists, and a loop "cannot be read (ELOOP)", a code for the reader to look up.
 */
describe('sourceFileProblem: a source that is a symbolic link going nowhere', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('a dangling link names where it points', () => {
    p = new TestProject();
    symlinkSync('exports/users.csv', join(p.dir, 'users.csv'));
    expect(sourceFileProblem(join(p.dir, 'users.csv'))).toBe('the source file is a symbolic link to exports/users.csv, which does not exist');
  });

  it('a loop of links is said to be one', () => {
    p = new TestProject();
    symlinkSync('b.csv', join(p.dir, 'a.csv'));
    symlinkSync('a.csv', join(p.dir, 'b.csv'));
    expect(sourceFileProblem(join(p.dir, 'a.csv'))).toBe('the source file is a loop of symbolic links, each leading to the next (ELOOP)');
  });

  it('a missing file is not found, and a link to a file is read', () => {
    p = new TestProject();
    expect(sourceFileProblem(join(p.dir, 'none.csv'))).toBe('source file not found');
    p.write('real.csv', 'email\n');
    symlinkSync('real.csv', join(p.dir, 'users.csv'));
    expect(sourceFileProblem(join(p.dir, 'users.csv'))).toBeUndefined();
  });
});
