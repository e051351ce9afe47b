import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A state folder or journal file Ferry cannot write is a clear error naming the path, exit 1, at
 * once — not SQLite's "attempt to write a readonly database" or "disk I/O error", and never a
 * SIGBUS. Tests run as root, who may write anything but an immutable file (chattr +i); a folder or
 * a FIFO in place of the -shm cannot be written by anyone.
 */

const chattr = (flag: '+i' | '-i', path: string): boolean => spawnSync('chattr', [flag, path]).status === 0;
const chattrWorks = ((): string | null => {
  const p = new TestProject();
  try {
    const file = p.write('probe', '');
    if (!chattr('+i', file)) return 'chattr +i is not available on this file system';
    chattr('-i', file);
    return null;
  } finally {
    p.cleanup();
  }
})();

describe('a journal that cannot be written', () => {
  let p: TestProject;
  const immutable: string[] = [];
  beforeEach(() => {
    p = new TestProject();
    p.write('u.csv', 'email\r\na@x.io\r\n');
    p.write('p.yaml', 'source: { file: u.csv }\ntarget: { connection: users }\n');
    expect(p.run('p.yaml').code).toBe(0);
  });
  afterEach(() => {
    for (const path of immutable.splice(0)) chattr('-i', path);
    p.cleanup();
  });

  const refused = (what: RegExp): void => {
    for (const args of [
      ['run', 'p.yaml'],
      ['jobs', 'list'],
    ]) {
      const result = p.ferry(...args);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^ferry: the state folder .*\.ferry cannot be used: /);
      expect(result.stderr).toMatch(what);
      expect(result.stderr).toContain('set state_dir in ferry.yaml');
      expect(result.stderr).not.toMatch(/readonly database|disk I\/O/);
    }
  };

  it('a folder in place of journal.db-shm', () => {
    mkdirSync(join(p.dir, '.ferry/journal.db-shm'));
    refused(/journal\.db-shm is a folder, not a regular file/);
  });

  it('a FIFO in place of journal.db-shm', () => {
    expect(spawnSync('mkfifo', [join(p.dir, '.ferry/journal.db-shm')]).status).toBe(0);
    refused(/journal\.db-shm is a FIFO, not a regular file/);
  });

  const skipChattr = chattrWorks !== null && !process.env['CI'];
  it.skipIf(skipChattr)(`an immutable journal.db-shm (${chattrWorks ?? 'chattr +i'})`, () => {
    if (chattrWorks) throw new Error(chattrWorks);
    const shm = join(p.dir, '.ferry/journal.db-shm');
    writeFileSync(shm, Buffer.alloc(32768));
    expect(chattr('+i', shm)).toBe(true);
    immutable.push(shm);
    refused(/journal\.db-shm is not writable/);
  });

  it.skipIf(skipChattr)('an immutable state folder', () => {
    if (chattrWorks) throw new Error(chattrWorks);
    const dir = join(p.dir, '.ferry');
    expect(chattr('+i', dir)).toBe(true);
    immutable.push(dir);
    refused(/\.ferry is not writable/);
  });
});

describe('a journal that is not a database', () => {
  it('is refused with its path and what to do, before any job, and nothing is written', () => {
    const p = new TestProject();
    try {
      p.write('u.csv', 'email\r\na@x.io\r\n');
      p.write('p.yaml', 'source: { file: u.csv }\ntarget: { connection: users }\n');
      mkdirSync(join(p.dir, '.ferry'));
      const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x5a)]);
      writeFileSync(join(p.dir, '.ferry/journal.db'), garbage);
      for (const args of [
        ['run', 'p.yaml'],
        ['jobs', 'list'],
      ]) {
        const result = p.ferry(...args);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(
          /^ferry: the journal .*\.ferry\/journal\.db cannot be used: file is not a database \(SQLITE_NOTADB\)\. Restore it from a backup, or move it aside/,
        );
      }
      expect(readFileSync(join(p.dir, '.ferry/journal.db'))).toEqual(garbage);
      expect(existsSync(join(p.dir, '.ferry/users.db'))).toBe(false);
    } finally {
      p.cleanup();
    }
  });
});

describe('a journal damaged past its first pages', () => {
  it('names the file and what to do in every command that reads it, not only "database disk image is malformed"', () => {
    const p = new TestProject();
    try {
      p.write('u.csv', 'email\r\na@x.io\r\n');
      p.write('p.yaml', 'source: { file: u.csv }\ntarget: { connection: users, key: [email], upsert: true }\n');
      for (let i = 0; i < 3; i++) expect(p.ferry('run', 'p.yaml').code).toBe(0);
      // The header and schema pages stay whole, so the journal opens; the tables' pages are scrambled.
      const file = join(p.dir, '.ferry/journal.db');
      const bytes = readFileSync(file);
      const page = 4096;
      for (let at = 2 * page; at < bytes.length; at += 7) if (at % page >= 100) bytes[at] = (bytes[at]! * 31 + 17) & 0xff;
      writeFileSync(file, bytes);
      for (const args of [
        ['run', 'p.yaml'],
        ['jobs', 'prune', '--older-than', '1d'],
      ]) {
        const result = p.ferry(...args);
        expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(
          /^ferry: the journal .*\.ferry\/journal\.db cannot be used: database disk image is malformed \(SQLITE_CORRUPT\)\. Restore it from a backup, or move it aside/,
        );
      }
    } finally {
      p.cleanup();
    }
  });
});
