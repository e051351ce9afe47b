import { describe, expect, it } from 'vitest';
import { newJobId } from '../../../src/project/plan-for.js';

/** A job id is `<pipeline>-<stamp>-<hex>`; the pipeline part comes from a file name when the pipeline has no `name:`. */
const at = new Date('2026-12-06T10:20:30Z');
const namePart = (id: string): string => id.replace(/-20261206T102030-[0-9a-f]{12}$/, '');

describe('newJobId', () => {
  it('keeps a name as it is when it fits', () => {
    for (const name of ['users', 'My Pipeline', 'import_ünïcode', 'a'.repeat(100)]) expect(namePart(newJobId(name, at))).toBe(name);
  });

  it('cuts a long file name at 100 bytes of UTF-8, never inside a character, so the job folder stays a valid name', () => {
    const part = namePart(newJobId('Ü'.repeat(120), at));
    expect(part).toBe('Ü'.repeat(50));
    expect(Buffer.byteLength(newJobId('😀'.repeat(80), at))).toBeLessThanOrEqual(100 + '-20261206T102030-abcdef012345'.length);
    expect(namePart(newJobId(`a${'😀'.repeat(80)}`, at))).toBe(`a${'😀'.repeat(24)}`);
  });

  it('has random enough a part that jobs of one name started in the same second (in projects sharing a store) do not share an id', () => {
    // A job's batch markers in its store are keyed by its id: two jobs with one id each took the
    // other's committed batches as done. 2 random bytes repeated within any 65,537 ids.
    const ids = new Set(Array.from({ length: 100_000 }, () => newJobId('import', at)));
    expect(ids.size).toBe(100_000);
  });

  it('replaces control characters, which split the lines that print the id', () => {
    expect(namePart(newJobId('nl\nforged\r\u001b[2J\u0085x', at))).toBe('nl_forged__[2J_x');
  });
});
