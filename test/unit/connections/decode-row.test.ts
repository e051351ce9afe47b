import { describe, expect, it } from 'vitest';
import { decodeRow } from '../../../src/connections/decode-row.js';
import type { ColumnInfo } from '../../../src/connections/types.js';

const column = (name: string): ColumnInfo => ({ name, type: 'text', nullable: true, primaryKey: false, unique: false });

describe('decodeRow', () => {
  it('keeps a column named __proto__ as a field, in table order, and leaves NULL columns out', () => {
    const row = decodeRow([column('email'), column('__proto__'), column('name'), column('nickname')], ['a@x.io', 'X', 'A', null], (_, v) => v);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.entries(row)).toEqual([
      ['email', 'a@x.io'],
      ['__proto__', 'X'],
      ['name', 'A'],
    ]);
  });
});
