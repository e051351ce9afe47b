import { parseString } from 'fast-csv';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../../src/sources/types.js';
import { optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';
import { seededRandom as random } from '../../helpers/seeded-random.js';

/**
 * Our byte scanner and field parser against generated files and against fast-csv: random values
 * full of delimiters, quotes, LF/CRLF and multi-byte characters, random line ends, with or without
 * a final newline. Every batch size must give back exactly what was written, as fast-csv reads it.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const columns = ['email', 'name', 'note', 'city', 'tag'];
const pieces = ['a', 'b', 'Zoë', '日本', '😀', ' ', ',', '"', '""', '\n', '\r\n', ';', '\t', "'", '{', ']', '\\', 'x y'];

function generate(seed: number, rows: number, lineEnds = ['\n', '\r\n']): { text: string; records: Record<string, string>[] } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const records = Array.from({ length: rows }, () => {
    const record: Record<string, string> = {};
    for (const column of columns) {
      const value = next() < 0.15 ? '' : Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(pieces)).join('');
      if (value !== '') record[column] = value;
    }
    return record;
  });
  // fast-csv drops unquoted leading whitespace (RFC 4180 keeps it), so such values are quoted here.
  const cell = (value: string): string => (/[",\r\n]|^\s|\s$/.test(value) || next() < 0.1 ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c] ?? '')).join(','))];
  const text = lines.map((line) => line + pick(lineEnds)).join('');
  return { text: next() < 0.5 ? text : text.replace(/\r?\n$/, ''), records };
}

function fastCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    parseString<Record<string, string>, Record<string, string>>(text, { headers: true, strictColumnHandling: true })
      .on('error', reject)
      .on('data-invalid', (row: unknown) => reject(new Error(`fast-csv rejected ${JSON.stringify(row)}`)))
      .on('data', (row: Record<string, string>) => rows.push(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''))))
      .on('end', () => resolve(rows));
  });
}

describe('csv against generated files', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reads back what was written (seed %i)', async (seed) => {
    const { text, records } = generate(seed, 200);
    const options = optionsFor('csv', tmp.file(`generated-${seed}.csv`, text));
    expect(await fastCsv(text)).toEqual(records);
    for (const batchSize of [1, 7, 1000]) {
      const { scan, items } = await scanAndRead(options, batchSize);
      expect(scan.total).toBe(records.length);
      expect(items.map((i) => i.row)).toEqual(records.map((_, i) => i + 1));
      expect(recordsOf(items)).toEqual(records);
    }
  });
});

describe('csv with bare CR line ends, against fast-csv', () => {
  it.each([21, 22, 23])('reads back what was written (seed %i)', async (seed) => {
    const { text, records } = generate(seed, 200, ['\n', '\r\n', '\r']);
    const options = optionsFor('csv', tmp.file(`generated-cr-${seed}.csv`, text));
    expect(await fastCsv(text)).toEqual(records);
    for (const batchSize of [1, 7, 1000]) {
      const { scan, items } = await scanAndRead(options, batchSize);
      expect(scan.total).toBe(records.length);
      expect(recordsOf(items)).toEqual(records);
    }
  });
});

describe('csv against generated garbage', () => {
  const garbage = ['a', 'b', ',', ',', '"', '"', '""', '\n', '\r\n', '\r', ' ', 'é'];

  it.each([11, 12, 13, 14, 15, 16])('cuts the same records at every batch size, numbered 1..N (seed %i)', async (seed) => {
    const next = random(seed);
    const text = 'h1,h2,h3\n' + Array.from({ length: 3000 }, () => garbage[Math.floor(next() * garbage.length)]!).join('');
    const options = optionsFor('csv', tmp.file(`garbage-${seed}.csv`, text));
    let first: SourceRecord[] | undefined;
    for (const batchSize of [1, 2, 3, 1000]) {
      const { scan, items } = await scanAndRead(options, batchSize);
      expect(items.map((i) => i.row)).toEqual(Array.from({ length: scan.total }, (_, i) => i + 1));
      if (first === undefined) first = items;
      else expect(items).toEqual(first);
    }
    // Every byte that is not a line end or a blank line belongs to exactly one record.
    const raw = first!.map((item) => ('raw' in item ? item.raw : undefined)).filter((r) => r !== undefined);
    expect(raw.every((r) => r.length > 0)).toBe(true);
  });
});
