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

// A 6 MB pipeline (400,000 columns) kept validate busy past 2 minutes; a YAML data file under
// pipelines/ is read by `ferry validate` as a pipeline.
describe('a pipeline or ferry.yaml past 1 MiB', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  const columns = (n: number): string => Array.from({ length: n }, (_, i) => `  c${i}: email\n`).join('');

  it('is refused at once, with its size, by validate and run', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    p.write('pipelines/big.yaml', `${pipeline.replace('columns: { email: email }\n', 'columns:\n')}${columns(120_000)}`);
    for (const args of [['validate'], ['run', 'pipelines/big.yaml']]) {
      const started = Date.now();
      const r = ferry(args, p.dir);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/pipelines\/big\.yaml the pipeline file is 1\.\d MiB: a Ferry file is at most 1 MiB/);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
  });

  it('a ferry.yaml too', () => {
    p = new TestProject();
    p.write('ferry.yaml', `# ${'x'.repeat(1024 * 1024)}\nengine: embedded\n`);
    p.write('pipelines/import.yaml', pipeline);
    const r = ferry(['validate'], p.dir);
    expect(r.code).toBe(2);
    expect(r.out).toContain('ferry.yaml the config file is 1.0 MiB: a Ferry file is at most 1 MiB');
  });

  it('a pipeline just under 1 MiB is read', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    const body = `${pipeline}# ${'x'.repeat(1024 * 1024 - pipeline.length - 3)}\n`;
    expect(Buffer.byteLength(body)).toBe(1024 * 1024);
    p.write('pipelines/import.yaml', body);
    expect(ferry(['validate'], p.dir)).toMatchObject({ code: 0 });
  });
});
