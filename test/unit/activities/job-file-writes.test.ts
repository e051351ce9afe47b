import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkFileAtomic, pieceFile, writeFileAtomic } from '../../../activities/job-files.js';

/**
 * A job file the disk refuses: the error names the file (a write to an open file names none, and
 * serve, the console and Temporal show a job's error as it is), keeps the code first (the CLI's
 * hints read it), and leaves nothing half-written behind. The temporary name is pointed at
 * /dev/full, where every write fails with ENOSPC as on a full disk.
 */
describe.skipIf(!existsSync('/dev/full'))('job file writes on a full disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-job-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const full = (path: string): void => symlinkSync('/dev/full', `${path}.tmp-${process.pid}`);

  it('writeFileAtomic names the file, keeps the code, and leaves neither the file nor its temporary', () => {
    const path = join(dir, 'rejects-000001.chunk-0000.ndjson');
    full(path);
    let caught: unknown;
    try {
      writeFileAtomic(path, 'x'.repeat(100_000));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(/^ENOSPC: .* — writing .*rejects-000001\.chunk-0000\.ndjson: free space on its disk \(or raise the quota\)$/);
    expect((caught as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a piece file names the file when a piece cannot be written', () => {
    const path = join(dir, 'part-000001.csv');
    full(path);
    const file = pieceFile(path);
    expect(() => file.write('y'.repeat(100_000))).toThrow(/^ENOSPC: .* — writing .*part-000001\.csv: free space on its disk \(or raise the quota\)$/);
    file.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

/**
 * A one-chunk batch's reject part is its chunk file under a second name (linkFileAtomic): the part
 * holds the chunk's text, a temporary left by a crashed process of the same pid is replaced, and a
 * later rewrite of the chunk (a replay renames a new file over it) leaves the part as it was.
 */
describe('a job file linked under a second name', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-job-links-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the whole file, over a stale temporary, and does not follow later rewrites', () => {
    const chunk = join(dir, 'rejects-000001.chunk-0000.ndjson');
    const part = join(dir, 'rejects-000001.ndjson');
    writeFileAtomic(chunk, '{"row":1}\n');
    writeFileSync(`${part}.tmp-${process.pid}`, 'stale');
    writeFileSync(part, 'an earlier attempt');
    linkFileAtomic(chunk, part);
    expect(readFileSync(part, 'utf8')).toBe('{"row":1}\n');
    expect(readdirSync(dir).sort()).toEqual(['rejects-000001.chunk-0000.ndjson', 'rejects-000001.ndjson']);
    writeFileAtomic(chunk, '{"row":2}\n');
    expect(readFileSync(part, 'utf8')).toBe('{"row":1}\n');
  });

  it('names the file when its source is missing, and leaves no temporary', () => {
    const part = join(dir, 'rejects-000002.ndjson');
    expect(() => linkFileAtomic(join(dir, 'missing.ndjson'), part)).toThrow(/^ENOENT: .* — writing .*rejects-000002\.ndjson$/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
