import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectsIndex, csvCell } from '../../src/ui/rejects.js';
import { tempDir } from '../helpers/cli.js';

/** The console's rejects table on a large report: paged and filtered on the server, fast after the first read. */

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function writeReport(count: number): string {
  const t = tempDir('ferry-rejects-');
  cleanup = t.cleanup;
  const codes = ['FORMAT', 'REQUIRED', 'DUPLICATE_IN_SOURCE', 'TOO_LONG'];
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const code = codes[i % codes.length]!;
    lines.push(
      JSON.stringify({
        row: i,
        record: { email: `user${i}@example`, password_hash: '*****' },
        errors: [{ code, path: i % 2 ? 'email' : 'user_metadata.plan', message: `problem ${i}` }],
      }),
    );
  }
  const file = join(t.dir, 'rejects.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('RejectsIndex', () => {
  it('filters 100k rejects by code and path and pages them, each page in milliseconds once indexed', async () => {
    const file = writeReport(100_000);
    const index = new RejectsIndex();
    let started = performance.now();
    const first = await index.page(file, { offset: 0, limit: 50 });
    const firstMs = performance.now() - started;
    expect(first.total).toBe(100_000);
    expect(first.codes).toEqual([
      { code: 'DUPLICATE_IN_SOURCE', count: 25_000 },
      { code: 'FORMAT', count: 25_000 },
      { code: 'REQUIRED', count: 25_000 },
      { code: 'TOO_LONG', count: 25_000 },
    ]);
    started = performance.now();
    const filtered = await index.page(file, { code: 'FORMAT', path: 'METADATA', offset: 50, limit: 50 });
    const filteredMs = performance.now() - started;
    // FORMAT is every 4th row from row 4: all even, so all on user_metadata.plan.
    expect(filtered.total).toBe(25_000);
    expect(filtered.lines.map((l) => l.row)).toEqual(Array.from({ length: 50 }, (_, i) => 4 * (51 + i)));
    expect(filtered.lines[0]).toEqual({ row: 204, code: 'FORMAT', path: 'user_metadata.plan', message: 'problem 204' });
    expect((await index.page(file, { code: 'TOO_LONG', path: 'plan', offset: 0, limit: 50 })).total).toBe(0);
    // Generous bounds for a shared machine; the figures measured are printed.
    expect(filteredMs).toBeLessThan(250);
    expect(firstMs).toBeLessThan(10_000);
    console.info(`rejects index: first read of 100k rejects ${firstMs.toFixed(0)} ms, a filtered page ${filteredMs.toFixed(1)} ms`);
  });

  it('reads the report again when it changed', async () => {
    const file = writeReport(3);
    const index = new RejectsIndex();
    expect((await index.page(file, { offset: 0, limit: 10 })).total).toBe(3);
    writeFileSync(file, JSON.stringify({ row: 9, record: {}, errors: [{ code: 'FORMAT', path: 'email', message: 'x' }] }) + '\n');
    expect((await index.page(file, { offset: 0, limit: 10 })).lines).toEqual([{ row: 9, code: 'FORMAT', path: 'email', message: 'x' }]);
  });
});

describe('csvCell', () => {
  it('quotes separators and makes formula-looking cells inert', () => {
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(undefined)).toBe('');
  });
});
