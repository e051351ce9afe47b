import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A pipeline saved as Latin-1 (`Müller` as the one byte 0xFC) was read with each bad byte as
 * U+FFFD: a query or a constant mapped silently held another text than the one written, and the
 * export matched nobody. validate and run refuse it at the byte, as they refuse a UTF-16 file.
 */
describe('a pipeline file that is not UTF-8', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('is refused at its first byte that is not UTF-8, by validate and run', () => {
    p = new TestProject();
    const head = 'source:\n  connection: users\n  query: \'name:"M';
    const bytes = Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from([0xfc]), Buffer.from('ller"\'\ntarget:\n  file: out/users.csv\n', 'utf8')]);
    writeFileSync(p.write('pipelines/export.yaml', ''), bytes);
    const at = `3:${head.split('\n')[2]!.length + 1}`;
    const v = p.ferry('validate');
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(new RegExp(`^pipelines/export\\.yaml:${at} .*byte 0xFC.*not UTF-8.*save the file as UTF-8`));
    const r = p.ferry('run', 'pipelines/export.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`pipelines/export.yaml:${at} byte 0xFC`);
  });

  it('keeps a U+FFFD written as such, and a UTF-8 byte order mark', () => {
    p = new TestProject();
    p.write('pipelines/export.yaml', '\uFEFFsource:\n  connection: users\n  query: \'name:"M\uFFFDller"\'\ntarget:\n  file: out/users.csv\n');
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/export.yaml\n' });
  });

  it('refuses a ferry.yaml that is not UTF-8 at its first such byte, before any command reads a value of it', () => {
    p = new TestProject();
    p.write('pipelines/import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const head = 'state_dir: .ferry\nconnections:\n  users: { driver: sqlite, path: "st';
    writeFileSync(p.write('ferry.yaml', ''), Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from([0xe9]), Buffer.from('.db", table: users }\n', 'utf8')]));
    const at = `3:${head.split('\n')[2]!.length + 1}`;
    for (const args of [['validate'], ['run', 'pipelines/import.yaml']]) {
      const r = p.ferry(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(new RegExp(`ferry\\.yaml:${at}\\b.*byte 0xE9.*not UTF-8`));
    }
    expect(existsSync(join(p.dir, 'st\uFFFD.db'))).toBe(false);
  });
});
