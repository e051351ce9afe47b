import Database from 'better-sqlite3';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * Exports of values a store written by another program may hold, and to destinations an operator
 * may name: what reaches the file is what a reader of that format gets back, or the row is a reject
 * that says why; an existing file keeps who may read it.
 */
let p: TestProject;
beforeAll(() => {
  p = new TestProject();
  seed(p);
  // Text no import lets in (a NUL in a name), as another program writing the store may leave it.
  const db = new Database(join(p.dir, '.ferry/users.db'));
  db.prepare("UPDATE users SET given_name = ?, user_metadata = json_set(coalesce(user_metadata, '{}'), '$.note', ?) WHERE user_id = 'u4'").run(
    'De\u0000e',
    'a\u0000b',
  );
  db.close();
}, 60_000);
afterAll(() => p.cleanup());

const COLUMNS = 'columns:\n  id: user_id\n  given: given_name\n  meta: user_metadata\n';

describe('a NUL character in an exported value', { timeout: 120_000 }, () => {
  it('CSV: the row is a FORMAT reject naming the column (many CSV readers stop or fail at a raw NUL); JSON text escapes it', () => {
    p.write('nul.yaml', exportPipeline({ file: 'out/nul.csv', sort: '{ by: user_id }', extra: COLUMNS }));
    const { code, report } = p.run('nul.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 5, exported: 4, rejected: 1 });
    const text = read(p, 'out/nul.csv');
    expect(text).not.toContain('\u0000');
    expect(text).not.toMatch(/^u4,/m);
    const [reject] = p.rejects(report);
    expect(reject!.row).toBe(4);
    // Only the text cell: the metadata object is written as JSON text, where the NUL is `\u0000`.
    expect(reject!.errors).toEqual([{ code: 'FORMAT', path: 'given', message: expect.stringMatching(/NUL character \(U\+0000 at character 3\)/) }]);

    p.write('nul-json.yaml', exportPipeline({ file: 'out/nul.json', sort: '{ by: user_id }', extra: COLUMNS }));
    const json = p.run('nul-json.yaml');
    expect(json.report.summary).toMatchObject({ exported: 5, rejected: 0 });
    const users = JSON.parse(read(p, 'out/nul.json')) as { id: string; given: string; meta: { note: string } }[];
    expect(users[3]).toMatchObject({ id: 'u4', given: 'De\u0000e', meta: { note: 'a\u0000b' } });
  });

  it('CSV: a NUL in a metadata object is kept, escaped, in its JSON text', () => {
    p.write('meta.yaml', exportPipeline({ file: 'out/meta.csv', query: 'user_id:u4', extra: 'columns:\n  id: user_id\n  meta: user_metadata\n' }));
    const { code, report } = p.run('meta.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ exported: 1, rejected: 0 });
    expect(read(p, 'out/meta.csv')).toBe('id,meta\r\nu4,"{""note"":""a\\u0000b""}"\r\n');
  });
});

describe('an existing export file that is replaced', { timeout: 120_000 }, () => {
  it('keeps its permissions and owner: a file kept private is not replaced by one anyone can read', () => {
    const path = p.write('out/private.csv', 'old\n');
    chmodSync(path, 0o640);
    const owner = process.getuid?.() === 0 ? { uid: 1234, gid: 5678 } : undefined;
    if (owner) chownSync(path, owner.uid, owner.gid);
    p.write('private.yaml', exportPipeline({ file: 'out/private.csv', query: 'user_id:u1', extra: 'columns: { id: user_id }\n' }));
    const { code } = p.run('private.yaml');
    expect(code).toBe(0);
    expect(read(p, 'out/private.csv')).toBe('id\r\nu1\r\n');
    const stats = statSync(path);
    expect(stats.mode & 0o7777).toBe(0o640);
    if (owner) expect({ uid: stats.uid, gid: stats.gid }).toEqual(owner);
  });

  it('a new file gets the usual mode, and a read-only one stays read-only once replaced', () => {
    p.write('new.yaml', exportPipeline({ file: 'out/brand-new.csv', query: 'user_id:u1', extra: 'columns: { id: user_id }\n' }));
    expect(p.run('new.yaml').code).toBe(0);
    expect(statSync(join(p.dir, 'out/brand-new.csv')).mode & 0o777).toBe(0o666 & ~process.umask());
    const ro = join(p.dir, 'out/ro.csv');
    writeFileSync(ro, 'old\n');
    chmodSync(ro, 0o444);
    p.write('ro.yaml', exportPipeline({ file: 'out/ro.csv', query: 'user_id:u1', extra: 'columns: { id: user_id }\n' }));
    expect(p.run('ro.yaml').code).toBe(0);
    expect(statSync(ro).mode & 0o777).toBe(0o444);
  });
});

describe('a target that is a file descriptor of the process', { timeout: 120_000 }, () => {
  it('/dev/stdout (a pipe or socket here) is refused as what it is, not failed with a raw ENOENT on a made-up path', () => {
    p.write('stdout.yaml', exportPipeline({ file: '/dev/stdout', target: '  format: csv\n', extra: 'columns: { id: user_id }\n' }));
    const run = p.ferry('run', 'stdout.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/refusing to write \/dev\/stdout: it is a (named pipe|socket), not a regular file/);
    expect(run.stdout + run.stderr).not.toContain('ENOENT');
  });
});

describe('a target whose name is near the longest a file system takes', { timeout: 120_000 }, () => {
  it('is written: the temporary name beside it stays within 255 bytes', () => {
    // 250 bytes: a valid name, which the temporary name (dot, job id, .partial) took past the limit.
    const name = `out/${'é'.repeat(123)}.csv`;
    p.write('long.yaml', exportPipeline({ file: `"${name}"`, query: 'user_id:u1', extra: 'columns: { id: user_id }\n' }));
    const { code, report, stderr } = p.run('long.yaml');
    expect(code, stderr).toBe(0);
    expect(report.artifacts.output).toBe(name);
    expect(read(p, name)).toBe('id\r\nu1\r\n');
    expect(readdirSync(join(p.dir, 'out')).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('a target with a name longer than a file system takes', { timeout: 120_000 }, () => {
  it.each([
    ['its file name', `out/${'n'.repeat(252)}.csv`, `${'n'.repeat(252)}.csv`],
    ['a folder of its path', `out/${'d'.repeat(256)}/users.csv`, 'd'.repeat(256)],
  ])('%s: the job fails saying so, not with a raw ENAMETOOLONG, and leaves no temporary file', (_what, file, part) => {
    mkdirSync(join(p.dir, 'out'), { recursive: true });
    p.write('toolong.yaml', exportPipeline({ file, target: '  format: csv\n', extra: 'columns: { id: user_id }\n' }));
    const run = p.ferry('run', 'toolong.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(`the name ${part} is 256 bytes long, and a file system takes at most 255`);
    expect(readdirSync(join(p.dir, 'out')).filter((f) => f.endsWith('.partial') || f.startsWith('d'))).toEqual([]);
  });
});

const COLUMNS_ZERO = `columns: { id: user_id, z: "-0", m: "{'a': -0}" }\n`;

describe('what the README promises of the formats', { timeout: 120_000 }, () => {
  it('no rows: CSV is its header row, JSON [], NDJSON an empty file; -0 is written 0 everywhere', () => {
    const expected = { csv: 'id,z,m\r\n', json: '[]\n', ndjson: '' };
    for (const [format, text] of Object.entries(expected)) {
      p.write('none.yaml', exportPipeline({ file: `out/none.${format}`, query: 'user_id:nobody', extra: COLUMNS_ZERO }));
      expect(p.run('none.yaml').code).toBe(0);
      expect(read(p, `out/none.${format}`)).toBe(text);
    }
    p.write('zero.yaml', exportPipeline({ file: 'out/zero.csv', query: 'user_id:u1', extra: COLUMNS_ZERO }));
    expect(p.run('zero.yaml').code).toBe(0);
    expect(read(p, 'out/zero.csv')).toBe('id,z,m\r\nu1,0,"{""a"":0}"\r\n');
    p.write('zero.yaml', exportPipeline({ file: 'out/zero.json', query: 'user_id:u1', extra: COLUMNS_ZERO }));
    expect(p.run('zero.yaml').code).toBe(0);
    expect(read(p, 'out/zero.json')).toBe('[\n{"id":"u1","z":0,"m":{"a":0}}\n]\n');
  });
});

describe('a column named as a property every object has', { timeout: 120_000 }, () => {
  it('is empty where its value is missing: not the function Object.prototype holds, nor {} (JSON read "constructor":undefined, no JSON)', () => {
    const extra = 'columns:\n  id: user_id\n  constructor: nothere\n  toString: user_metadata.plan\n  __proto__: nothere\n  hasOwnProperty: given_name\n';
    const expected = {
      csv: 'id,constructor,toString,__proto__,hasOwnProperty\r\nu1,,pro,,Ada\r\nu5,,,,Eve\r\n',
      json: '[\n{"id":"u1","toString":"pro","hasOwnProperty":"Ada"},\n{"id":"u5","hasOwnProperty":"Eve"}\n]\n',
      ndjson: '{"id":"u1","toString":"pro","hasOwnProperty":"Ada"}\n{"id":"u5","hasOwnProperty":"Eve"}\n',
    };
    for (const [format, text] of Object.entries(expected)) {
      p.write('proto.yaml', exportPipeline({ file: `out/proto.${format}`, query: 'user_id:(u1 OR u5)', sort: '{ by: user_id }', extra }));
      const { code, report } = p.run('proto.yaml');
      expect(code).toBe(0);
      expect(report.summary).toMatchObject({ exported: 2, rejected: 0 });
      expect(read(p, `out/proto.${format}`)).toBe(text);
    }
  });
});
