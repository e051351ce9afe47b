import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../src/sources/record-cutter.js';
import { sources } from '../../../src/sources/index.js';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { errorsOf, optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';

/** CSV values and malformed rows: bad rows are data (PARSE_ERROR later), numbered like any other. */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function csvFile(content: string | Buffer, csv: Partial<FileSourceOptions['csv']> = {}): FileSourceOptions {
  return optionsFor('csv', tmp.file(`case-${++n}.csv`, content), csv);
}

describe('csv values', () => {
  it('leaves empty cells out of the record, quoted or not', async () => {
    const { items } = await scanAndRead(csvFile('email,first,last,note\na@x.io,,Lee,""\n,Bo,,\n'));
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', last: 'Lee' }, { first: 'Bo' }]);
    expect(Object.keys(recordsOf(items)[0]!)).toEqual(['email', 'last']);
  });

  it('keeps spaces: values are not trimmed', async () => {
    const { items } = await scanAndRead(csvFile('email,name\n a@x.io , Ann \n'));
    expect(recordsOf(items)).toEqual([{ email: ' a@x.io ', name: ' Ann ' }]);
  });
});

describe('csv malformed rows', () => {
  const content = [
    'email,name,age',
    'a@x.io,Ann,30',
    'b@x.io,Bob', // too few
    'c@x.io,Cy,40,extra', // too many
    'd@x.io,"Dee,41', // unbalanced quote: never closed on its line
    'e@x.io,Eve,50',
    'f@x.io,"Fay"x,60', // junk after a closing quote
    'g@x.io,"Gus",70',
  ].join('\n');

  it.each([1, 2, 1000])('yields each as an error at its own row and goes on, at batch size %i', async (batchSize) => {
    const options = csvFile(content);
    const name = basename(options.path);
    const { scan, items } = await scanAndRead(options, batchSize);
    expect(scan.total).toBe(7);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(errorsOf(items)).toEqual([
      { row: 2, raw: 'b@x.io,Bob', error: `expected 3 columns, got 2 at ${name}:3:1 (byte 29)` },
      { row: 3, raw: 'c@x.io,Cy,40,extra', error: `expected 3 columns, got 4 at ${name}:4:1 (byte 40)` },
      { row: 4, raw: 'd@x.io,"Dee,41', error: `unbalanced quote: a quoted field is not closed (column 2) at ${name}:5:8 (byte 66)` },
      { row: 6, raw: 'f@x.io,"Fay"x,60', error: `unexpected "x" after a closing quote (column 2) at ${name}:7:13 (byte 100)` },
    ]);
    expect(items.filter((i) => 'record' in i).map((i) => i.row)).toEqual([1, 5, 7]);
  });

  it('does not let an unclosed quote swallow later quoted rows', async () => {
    // Read naively, the quote opened on row 1 closes on row 2 and every later quote flips meaning.
    const text = 'email,name\na@x.io,"Ann\nb@x.io,"Bob"\nc@x.io,"Cy, Jr."\n';
    const { items } = await scanAndRead(csvFile(text), 1);
    expect(items.map((i) => ('error' in i ? `${i.row}: error` : `${i.row}: ok`))).toEqual(['1: error', '2: ok', '3: ok']);
    expect(recordsOf(items.slice(1))).toEqual([
      { email: 'b@x.io', name: 'Bob' },
      { email: 'c@x.io', name: 'Cy, Jr.' },
    ]);
  });

  it('ends a broken multi-line quoted field at its first line end', async () => {
    const text = 'email,note\na@x.io,"starts\nhere"but junk\nb@x.io,fine\n';
    const { items } = await scanAndRead(csvFile(text));
    expect(items.map((i) => i.row)).toEqual([1, 2, 3]);
    expect(errorsOf(items).map((e) => [e.row, e.raw])).toEqual([
      [1, 'a@x.io,"starts'],
      [2, 'here"but junk'],
    ]);
    expect(recordsOf(items.slice(2))).toEqual([{ email: 'b@x.io', note: 'fine' }]);
  });

  it('keeps an unclosed quote at the end of the file to its own record', async () => {
    const { items } = await scanAndRead(csvFile('email,note\na@x.io,ok\nb@x.io,"never closed\n'));
    expect(items.map((i) => i.row)).toEqual([1, 2]);
    expect(errorsOf(items)).toEqual([{ row: 2, raw: 'b@x.io,"never closed', error: expect.stringMatching(/unbalanced quote/) }]);
  });

  it('names an empty header name as the cause of a width mismatch (a header line ending with the delimiter)', async () => {
    const options = csvFile('email,name,\na@x.io,Ann\nb@x.io,Bob,\n');
    const { items } = await scanAndRead(options);
    expect(errorsOf(items)).toEqual([
      {
        row: 1,
        raw: 'a@x.io,Ann',
        error: `expected 3 columns, got 2 at ${basename(options.path)}:2:1 (byte 12): the header's last column (column 3) has an empty name, so the header line ends with the delimiter. Hint: remove the delimiter at the end of the header line`,
      },
    ]);
    // A row that ends with the delimiter too matches the header: its empty last cell is left out.
    expect(recordsOf(items.slice(1))).toEqual([{ email: 'b@x.io', name: 'Bob' }]);
  });

  it.each([
    ['email,name, \na@x.io,Ann\n', "the header's last column (column 3) has an empty name, so the header line ends with the delimiter and blanks"],
    ['email,\t,name\na@x.io,Ann\n', 'the header has an empty column name at column 2'],
  ])('counts a name of spaces or tabs as empty in the width hint (%j)', async (text, hint) => {
    const { items } = await scanAndRead(csvFile(text));
    expect(errorsOf(items)[0]!.error).toContain(`expected 3 columns, got 2 at `);
    expect(errorsOf(items)[0]!.error).toContain(`: ${hint}. Hint: `);
  });

  it('names empty header names inside the header too', async () => {
    const options = csvFile('email,,name\na@x.io,Ann\n');
    const { items } = await scanAndRead(options);
    expect(errorsOf(items)[0]!.error).toBe(
      `expected 3 columns, got 2 at ${basename(options.path)}:2:1 (byte 12): the header has an empty column name at column 2. Hint: check the header line for a doubled or trailing delimiter`,
    );
  });

  it('refuses a row that starts with a byte order mark (files joined with theirs) instead of hiding it in the first value', async () => {
    const options = csvFile('\uFEFFname,email\nAnn,a@x.io\n\uFEFFname,email\nBob,b@x.io\n');
    const { items } = await scanAndRead(options);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3]);
    expect(errorsOf(items)).toEqual([
      {
        row: 2,
        raw: '\uFEFFname,email',
        error: `it starts with a byte order mark (U+FEFF; only the one at the start of the file is dropped: files joined with theirs?) at ${basename(options.path)}:3:1 (byte 25)`,
      },
    ]);
    expect(recordsOf(items.filter((i) => i.row !== 2))).toEqual([
      { name: 'Ann', email: 'a@x.io' },
      { name: 'Bob', email: 'b@x.io' },
    ]);
  });

  it('truncates the raw text of a malformed record to 1000 characters', async () => {
    const { items } = await scanAndRead(csvFile(`email,name\n${'x'.repeat(5000)}\n`));
    const [error] = errorsOf(items);
    expect(error!.raw).toBe('x'.repeat(1000));
  });

  it('fails the scan on a record longer than the limit, instead of holding it', async () => {
    const options = csvFile(`email,name\na,${'x'.repeat(MAX_RECORD_BYTES + 10)}\n`);
    await expect(sources.csv.scan(options, 10)).rejects.toThrow(`[source:csv] ${options.path}:2:1: the record at byte 11 is longer than 16 MiB`);
  });

  it('cuts a quoted field open for longer than the limit at its first line end', async () => {
    const lines = MAX_RECORD_BYTES / 64;
    const tail = 'z@x.io,"closed far away\n' + `b@x.io,${'y'.repeat(56)}\n`.repeat(lines) + 'end"\n';
    const options = csvFile(`email,name\n${tail}`);
    const { scan, items } = await scanAndRead(options, 100_000);
    expect(items[0]).toMatchObject({ row: 1, raw: 'z@x.io,"closed far away' });
    expect(scan.total).toBe(items.length);
    expect(items.filter((i) => 'record' in i)).toHaveLength(lines);
    expect(items.at(-1)).toMatchObject({
      raw: 'end"',
      line: lines + 3,
      error: `expected 2 columns, got 1 at ${basename(options.path)}:${lines + 3}:1 (byte ${11 + Buffer.byteLength(tail) - 5})`,
    });
  });
});
