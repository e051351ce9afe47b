import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n';
const cases = 'tests:\n  - name: passes\n    input: { email: a@example.com }\n    expect: { row: { email: a@example.com } }\n';

/** `ferry test` read the pipeline and its cases without a look first: a named pipe hung it, a directory was a raw EISDIR. */
describe('ferry test refuses a pipeline or test file that is no regular file, before reading it', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('a named pipe as the pipeline (listed through its test file), or as a linked test file: exit 2, named, no hang', () => {
    p = new TestProject();
    execFileSync('mkfifo', [join(p.dir, 'pipelines-fifo')]);
    mkdirSync(join(p.dir, 'pipelines'));
    symlinkSync(join(p.dir, 'pipelines-fifo'), join(p.dir, 'pipelines', 'a.yaml'));
    p.write('pipelines/a.test.yaml', cases);
    const r = p.ferry('test');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipelines/a.yaml: the pipeline file is a named pipe, not a file');

    rmSync(join(p.dir, 'pipelines', 'a.yaml')); // writing through the link would wait for a reader of the pipe
    p.write('pipelines/b.yaml', pipeline);
    symlinkSync(join(p.dir, 'pipelines-fifo'), join(p.dir, 'pipelines', 'b.test.yaml'));
    const linked = p.ferry('test', 'pipelines/b.yaml');
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('pipelines/b.test.yaml: the test file is a named pipe, not a file');
  });

  it('a directory, a dangling link: said as such', () => {
    p = new TestProject();
    mkdirSync(join(p.dir, 'pipelines', 'dir.yaml'), { recursive: true });
    p.write('pipelines/dir.test.yaml', cases);
    const dir = p.ferry('test', 'pipelines/dir.yaml');
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('pipelines/dir.yaml: the pipeline file is a directory, not a file');
    p.write('pipelines/c.yaml', pipeline);
    symlinkSync(join(p.dir, 'gone.yaml'), join(p.dir, 'pipelines', 'c.test.yaml'));
    const dangling = p.ferry('test', 'pipelines/c.yaml');
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toContain(`pipelines/c.test.yaml: the test file is a symbolic link to ${join(p.dir, 'gone.yaml')}, which does not exist`);
  });
});
