import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { matchesRowHash, storedRowHash } from '../../../../src/connections/sqlite/values.js';

/**
 * Backups already written hold storedRowHash's values, and a rollback compares them with the row as
 * it is now: the hash must stay the same function of the row. The reference is its definition — the
 * sha256 of the values' tagged text, built as a string.
 */
function reference(row: readonly unknown[]): string {
  let text = '';
  for (const v of row) {
    if (v === null || v === undefined) text += '\u0000';
    else if (typeof v === 'string') text += `\u0001${v.length}:${v}`;
    else if (typeof v === 'number' || typeof v === 'bigint') text += `\u0002${typeof v}${v};`;
    else if (Buffer.isBuffer(v)) text += `\u0003${v.length}:${v.toString('base64')}`;
    else text += `\u0004${JSON.stringify(v)};`;
  }
  return hash('sha256', text, 'base64url').slice(0, 22);
}

const rows: unknown[][] = [
  [],
  [null],
  [''],
  ['ferry|01a2480cdc15cbe1120000000001', 'a@x.io', 1, null, 'Łukasz', '{"plan":"pro","tags":["β","🚀"]}', '2026-01-01T00:00:00.000Z', 12.5],
  ['ü'.repeat(5000), '😀'.repeat(3000), -0, 0, Number.MAX_SAFE_INTEGER, 1e300, -1.5e-300, 2n ** 70n, -3n],
  [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), { a: 1 }, true, undefined],
  ['x'.repeat(2_000_000), 'y'], // past the reused buffer's largest size
  ['a\u0000b', '\u0001', '1:', 'z'],
  // lengths and numbers around where their digits change, long texts and texts beyond ASCII
  ['a'.repeat(255), 'b'.repeat(256), 'c'.repeat(257), `${'d'.repeat(255)}é`, `${'e'.repeat(300)}é`, 'abc\ud800', '\u007f\u0080'],
  [9, 10, 99, 100, 1234567890, 2 ** 53 - 1, 2 ** 53, -1, -0.5, 0.1, NaN, Infinity, 1e21, 12345678901234567890n],
];

describe('storedRowHash', () => {
  it('is the sha256 of the tagged text, byte for byte, whatever the values (and rows one after another)', () => {
    for (const row of [...rows, ...rows.reverse()]) expect(storedRowHash(row), String(row).slice(0, 80)).toBe(reference(row));
  });

  it('tells rows apart that only a tag or a length separates', () => {
    const distinct = [['ab', 'c'], ['a', 'bc'], ['1'], [1], [1n], [null], [''], [Buffer.from('1')]].map(storedRowHash);
    expect(new Set(distinct).size).toBe(distinct.length);
  });

  it('a recorded hash matches its row, and a row changed since does not', () => {
    const row = ['u1', 'a@x.io', '{"plan":"pro"}'];
    expect(matchesRowHash(storedRowHash(row), row)).toBe(true);
    expect(matchesRowHash(storedRowHash(row), ['u1', 'a@x.io', '{"plan":"free"}'])).toBe(false);
  });
});
