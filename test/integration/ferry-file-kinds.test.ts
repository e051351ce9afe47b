import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ferryBin } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n';
const cases = 'tests:\n  - name: passes\n    input: { email: a@example.com, name: Ann }\n    expect: { row: { email: a@example.com, name: Ann } }\n';

/** What is put where a Ferry file is expected, and how every loader says it: one wording for all. */
const kinds: { name: string; make: (path: string) => void; said: (what: string) => string }[] = [
  { name: 'a directory', make: (path) => mkdirSync(path), said: (what) => `the ${what} is a directory, not a file` },
  { name: 'a named pipe', make: (path) => execFileSync('mkfifo', [path]), said: (what) => `the ${what} is a named pipe, not a file` },
  {
    name: 'a symlink loop',
    make: (path) => symlinkSync(path, path),
    said: (what) => `the ${what} is a loop of symbolic links, each leading to the next (ELOOP)`,
  },
  { name: 'a device (/dev/zero)', make: (path) => symlinkSync('/dev/zero', path), said: (what) => `the ${what} is a device, not a file` },
];

/** The CLI in `cwd`, stopped after 20 s: a read of a named pipe or of /dev/zero would never end. */
function ferry(cwd: string, ...args: string[]): { code: number | null; out: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [ferryBin, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, timedOut: r.error !== undefined || r.signal !== null };
}

describe.skipIf(!existsSync('/dev/zero'))('a config, pipeline, test or source file that is no regular file', { timeout: 120_000 }, () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  for (const kind of kinds) {
    it(`${kind.name}: each loader refuses it in one wording, exit 2 (1 for a source), no hang, no stack`, () => {
      p = new TestProject();
      p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: users.db }\n');
      p.write('pipelines/users.csv', 'email,name\na@example.com,Ann\n');
      kind.make(join(p.dir, 'odd.yaml'));
      const results = {
        config: ferry(p.dir, '--config', 'odd.yaml', 'validate'),
        validate: ferry(p.dir, 'validate', 'odd.yaml'),
        run: ferry(p.dir, 'run', 'odd.yaml'),
      };
      p.write('pipelines/cased.yaml', pipeline);
      kind.make(join(p.dir, 'pipelines', 'cased.test.yaml'));
      const test = ferry(p.dir, 'test', 'pipelines/cased.yaml');
      p.write('pipelines/read.yaml', 'source: { file: ../odd.yaml, format: csv }\ntarget: { connection: users, key: [email] }\n');
      const source = ferry(p.dir, 'validate', 'pipelines/read.yaml');

      for (const [command, r] of Object.entries(results)) {
        expect(r.timedOut, command).toBe(false);
        expect(r.code, command).toBe(2);
        expect(r.out.trim().split('\n')[0], command).toBe(`odd.yaml ${kind.said(command === 'config' ? 'config file' : 'pipeline file')}`);
      }
      expect(test.timedOut).toBe(false);
      expect(test.code).toBe(2);
      expect(test.out.trim()).toBe(`pipelines/cased.test.yaml: ${kind.said('test file')}`);
      expect(source.timedOut).toBe(false);
      expect(source.code).toBe(1);
      expect(source.out).toContain(`pipelines/read.yaml:1:17 source.file: ${kind.said('source file')}`);
      for (const r of [...Object.values(results), test, source]) expect(r.out).not.toMatch(/\n\s+at /);
    });
  }

  it('ferry test refuses a pipeline or test file that is not UTF-8 at its place, as validate does (a Latin-1 byte was read as U+FFFD)', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,name\na@example.com,Ann\n');
    p.write('pipelines/latin.yaml', pipeline);
    // `Müller` saved as Latin-1 on line 4: read as UTF-8 the case compared U+FFFD with U+FFFD and passed.
    writeFileSync(
      join(p.dir, 'pipelines', 'latin.test.yaml'),
      Buffer.concat([
        Buffer.from('tests:\n  - name: latin\n    input: { email: a@example.com, name: '),
        Buffer.from('M\xfcller', 'latin1'),
        Buffer.from(' }\n    expect: { row: { email: a@example.com, name: '),
        Buffer.from('M\xfcller', 'latin1'),
        Buffer.from(' } }\n'),
      ]),
    );
    const test = ferry(p.dir, 'test', 'pipelines/latin.yaml');
    expect(test.code).toBe(2);
    expect(test.out.trim()).toBe(
      'pipelines/latin.test.yaml:3:43 byte 0xFC here is not UTF-8 (a Latin-1 or Windows-1252 file?): Ferry reads YAML as UTF-8, save the file as UTF-8',
    );
    writeFileSync(join(p.dir, 'pipelines', 'latin.test.yaml'), cases);
    writeFileSync(join(p.dir, 'pipelines', 'latin.yaml'), Buffer.concat([Buffer.from(pipeline), Buffer.from('# Gr\xfc\xdfe\n', 'latin1')]));
    const latinPipeline = ferry(p.dir, 'test', 'pipelines/latin.yaml');
    expect(latinPipeline.code).toBe(2);
    expect(latinPipeline.out.trim()).toMatch(/^pipelines\/latin\.yaml:4:5 byte 0xFC here is not UTF-8/);
  });
});
