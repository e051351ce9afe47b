import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedCounts, generateData } from '../../../bench/generate.js';
import { benchUser, INVALID_KINDS } from '../../../bench/users.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench generator', () => {
  it('gives the same users for the same seed, and others for another seed', () => {
    expect(benchUser(1234, 7)).toEqual(benchUser(1234, 7));
    expect(benchUser(1234, 7)).not.toEqual(benchUser(1234, 8));
  });

  it('writes byte-identical files on every run', () => {
    const a = generateData(join(dir, 'a'), 2000, ['csv', 'ndjson', 'json']);
    const b = generateData(join(dir, 'b'), 2000, ['csv', 'ndjson', 'json']);
    for (const format of ['csv', 'ndjson', 'json'] as const) {
      // Buffer.equals: toEqual on large buffers compares byte by byte and takes seconds.
      expect(readFileSync(a.files[format]!).equals(readFileSync(b.files[format]!))).toBe(true);
    }
  });

  it('makes exactly 1% of the rows invalid, every kind about equally', () => {
    const counts = expectedCounts(10_000);
    expect(counts.invalid).toBe(100);
    expect(counts.valid).toBe(9900);
    for (const kind of INVALID_KINDS) expect(counts.invalidByKind[kind]).toBe(20);
  });

  it('spoils each invalid kind in its own way', () => {
    const kinds = new Map(
      Array.from({ length: 500 }, (_, i) => benchUser(i, 1))
        .filter((u) => u.invalid)
        .map((u) => [u.invalid, u]),
    );
    expect(kinds.get('bad-email')?.email).not.toContain('@');
    expect(kinds.get('missing-email')?.email).toBeUndefined();
    expect(kinds.get('long-name')?.given_name.length).toBeGreaterThan(150);
    const duplicate = kinds.get('duplicate')!;
    expect(duplicate.email?.toLowerCase()).toBe(benchUser(duplicate.index - 1, 1).email?.toLowerCase());
  });

  it('writes malformed records that a strict parser rejects', () => {
    const set = generateData(join(dir, 'c'), 1000, ['csv', 'ndjson']);
    const csv = readFileSync(set.files.csv!, 'utf8').split('\n');
    const ndjson = readFileSync(set.files.ndjson!, 'utf8').split('\n');
    const malformed = Array.from({ length: 1000 }, (_, i) => i).filter((i) => benchUser(i, set.seed).invalid === 'malformed');
    expect(malformed.length).toBeGreaterThan(0);
    for (const i of malformed) {
      expect(() => JSON.parse(ndjson[i]!)).toThrow();
      expect(csv[i + 1]).toMatch(/"x,/);
    }
  });

  it('changes 10% of the valid users in the changed copy, and only those', () => {
    const counts = expectedCounts(1000);
    const changed = Array.from({ length: 1000 }, (_, i) => i).filter((i) => JSON.stringify(benchUser(i, 3, true)) !== JSON.stringify(benchUser(i, 3)));
    expect(changed.length).toBe(counts.changed);
    expect(counts.changed).toBe(100);
  });
});
