import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realPathOf, sqliteFiles, targetConflict } from '../../../src/project/target-path.js';

/** How a file target's path is resolved before it is compared with what Ferry keeps (issue 17, item 1). */
const root = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-target-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (...parts: string[]): string => join(root, ...parts);
mkdirSync(at('state'));
mkdirSync(at('data/deep'), { recursive: true });
writeFileSync(at('data/store.db'), '');
symlinkSync(at('data/deep'), at('deep-link'));
symlinkSync(at('loop-b'), at('loop-a'));
symlinkSync(at('loop-a'), at('loop-b'));
symlinkSync('data', at('relative-link'));

const guarded = sqliteFiles(at('data/store.db'), 'the store');

describe('realPathOf', () => {
  it('resolves `..` after a symlink from where the link points, as the file system does', () => {
    // deep-link → data/deep, so deep-link/.. is data, not the root.
    expect(realPathOf(`${root}/deep-link/../store.db`)).toBe(at('data/store.db'));
  });

  it('keeps parts that do not exist yet as written, and resolves `..` among them', () => {
    expect(realPathOf(`${root}/new/dir/../../data/./store.db`)).toBe(at('data/store.db'));
    expect(realPathOf(at('relative-link/new/out.csv'))).toBe(at('data/new/out.csv'));
  });

  it('stops on a symlink loop instead of recursing for ever', () => {
    expect(() => realPathOf(at('loop-a/x.csv'))).not.toThrow();
  });
});

describe('targetConflict', () => {
  it.each([
    ['deep-link/../store.db', /is the store$/],
    ['relative-link/store.db-shm', /is the store \(its shm file\)/],
    ['data/store.db-{job}', undefined],
    ['data/{job}.db', undefined],
    ['data/{job}', undefined],
    ['{job}/../data/store.db', /is the store$/],
    ['data/{date}/../store.db', /is the store$/],
    ['state', /inside the state dir/],
    ['state/{job}/out.csv', /inside the state dir/],
    ['data/deep/out-{date}.csv', undefined],
    ['data/store.db/out.csv', /^is under .*\/data\/store\.db, which is a file, not a folder, so the export could not create its folder$/],
    ['data/store.db/new/{date}/out.csv', /^is under .*\/data\/store\.db, which is a file, not a folder/],
    ['data/new/deeper/out.csv', undefined],
  ])('%s', (target, expected) => {
    const conflict = targetConflict(`${root}/${target}`, at('state'), guarded);
    if (expected === undefined) expect(conflict).toBeUndefined();
    else expect(conflict).toMatch(expected);
  });
});
