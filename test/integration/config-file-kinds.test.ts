import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ferryBin } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/** The CLI with a short timeout of its own: the bug this guards against is a hang. */
function ferry(args: string[], cwd: string): { code: number | null; out: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [ferryBin, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout + r.stderr, timedOut: r.error !== undefined };
}

const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n';

describe('a ferry.yaml found in the project that is no readable file', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  // Reading a named pipe waits for a writer: every command hung, with no message.
  it('a named pipe: validate and run exit 2 at once, naming it; nothing is written', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    p.write('pipelines/import.yaml', pipeline);
    spawnSync('mkfifo', [join(p.dir, 'ferry.yaml')]);
    for (const args of [['validate'], ['run', 'pipelines/import.yaml']]) {
      const r = ferry(args, p.dir);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.out).toContain('ferry.yaml the config file is a named pipe, not a file');
    }
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
  });

  // It passed for "no ferry.yaml": the job ran into the default SQLite store instead of the configured one.
  it('a dangling symlink: run from a subfolder exits 2 and writes no default store', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    p.write('pipelines/import.yaml', pipeline);
    symlinkSync(join(p.dir, 'config', 'ferry.yaml'), join(p.dir, 'ferry.yaml'));
    mkdirSync(join(p.dir, 'pipelines', 'data'));
    const r = ferry(['run', '../import.yaml'], join(p.dir, 'pipelines', 'data'));
    expect(r.code).toBe(2);
    expect(r.out).toContain(`the config file is a symbolic link to ${join(p.dir, 'config', 'ferry.yaml')}, which does not exist`);
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
    expect(existsSync(join(p.dir, 'pipelines', 'data', '.ferry'))).toBe(false);
  });
});
