import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { errorsOf, optionsFor, readAll, recordsOf, scanAndRead, tempDir } from './helpers.js';

/** CSV framing: where records begin and end, whatever the bytes around them look like. */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function csvFile(content: string | Buffer, csv: Partial<FileSourceOptions['csv']> = {}): FileSourceOptions {
  return optionsFor('csv', tmp.file(`case-${++n}.csv`, content), csv);
}

const quoted = [
  'email,name,note',
  'a@x.io,"Doe, Jane","say ""hi"""',
  'b@x.io,Bob,"two',
  'lines, and ""quotes"" , too',
  '"',
  'c@x.io,"Carol\r\nCRLF inside",ok',
  'd@x.io,"",","',
].join('\n');

describe('csv boundaries', () => {
  it.each([1, 2, 3, 1000])('never splits a quoted field, at batch size %i', async (batchSize) => {
    const { scan, items } = await scanAndRead(csvFile(quoted), batchSize);
    expect(scan.total).toBe(4);
    expect(scan.header).toEqual(['email', 'name', 'note']);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4]);
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', name: 'Doe, Jane', note: 'say "hi"' },
      { email: 'b@x.io', name: 'Bob', note: 'two\nlines, and "quotes" , too\n' },
      { email: 'c@x.io', name: 'Carol\r\nCRLF inside', note: 'ok' },
      { email: 'd@x.io', note: ',' },
    ]);
  });

  it('puts every record of batch size 1 in its own range', async () => {
    const options = csvFile(quoted);
    const scan = await sources.csv.scan(options, 1);
    for (const range of scan.batches) {
      const items = await readAll(options, { ...scan, batches: [range] });
      expect(items.map((i) => i.row)).toEqual([range.firstRow]);
      expect(errorsOf(items)).toEqual([]);
    }
  });

  it('skips a UTF-8 BOM before the header', async () => {
    const { scan, items } = await scanAndRead(csvFile('\uFEFFemail,name\na@x.io,Ann\n'));
    expect(scan.header).toEqual(['email', 'name']);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Ann' }]);
  });

  it('skips a BOM before the first record of a file without header', async () => {
    const { scan, items } = await scanAndRead(csvFile('\uFEFF"a@x.io",Ann\n', { header: false }));
    expect(scan.header).toEqual(['col1', 'col2']);
    expect(recordsOf(items)).toEqual([{ col1: 'a@x.io', col2: 'Ann' }]);
  });

  it('reads CRLF line ends without keeping the CR', async () => {
    const { items } = await scanAndRead(csvFile('email,name\r\na@x.io,Ann\r\nb@x.io,"Bob"\r\n'), 1);
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', name: 'Ann' },
      { email: 'b@x.io', name: 'Bob' },
    ]);
  });

  it.each([
    ['LF', 'email,name\na@x.io,Ann\nb@x.io,Bob'],
    ['CRLF', 'email,name\r\na@x.io,Ann\r\nb@x.io,Bob'],
    ['a closing quote', 'email,name\na@x.io,Ann\nb@x.io,"Bob"'],
    ['a dangling CR', 'email,name\na@x.io,Ann\nb@x.io,Bob\r'],
  ])('reads the last record without a trailing newline (%s)', async (_, content) => {
    const { scan, items } = await scanAndRead(csvFile(content), 1);
    expect(scan.total).toBe(2);
    expect(recordsOf(items)[1]).toEqual({ email: 'b@x.io', name: 'Bob' });
  });

  it.each([1, 2, 1000])('ends a record at a bare CR, as fast-csv does, so five records stay five (batch size %i)', async (batchSize) => {
    // Issue 17: a CR between two records folded the second into a reject, and five were counted as four.
    const content = 'email,name\na@x.io,Ann\nb@x.io,Bob\rc@x.io,Cy\r\rd@x.io,"D\ree"\re@x.io,Eve\r';
    const { scan, items } = await scanAndRead(csvFile(content), batchSize);
    expect(scan.total).toBe(5);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4, 5]);
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', name: 'Ann' },
      { email: 'b@x.io', name: 'Bob' },
      { email: 'c@x.io', name: 'Cy' },
      { email: 'd@x.io', name: 'D\ree' },
      { email: 'e@x.io', name: 'Eve' },
    ]);
  });

  it('a CR inside an unquoted value ends the record: both halves are counted, the short one a PARSE_ERROR', async () => {
    const options = csvFile('email,name\na@x.io,Ca\rrol\nb@x.io,Bob\n');
    const { scan, items } = await scanAndRead(options, 1);
    expect(scan.total).toBe(3);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3]);
    // The CR is a line end for the place too: `rol` starts line 3.
    expect(errorsOf(items)).toEqual([{ row: 2, raw: 'rol', error: `expected 2 columns, got 1 at ${basename(options.path)}:3:1 (byte 21)` }]);
  });

  it('a broken quoted field ends at a bare CR too', async () => {
    const { scan, items } = await scanAndRead(csvFile('email,name\na@x.io,"Ann\rb@x.io,Bob\r'), 1);
    expect(scan.total).toBe(2);
    expect(errorsOf(items).map((e) => e.row)).toEqual([1]);
    expect(recordsOf(items.slice(1))).toEqual([{ email: 'b@x.io', name: 'Bob' }]);
  });

  it('skips blank lines anywhere, LF or CRLF, without counting them', async () => {
    const content = '\n\r\nemail,name\n\na@x.io,Ann\r\n\r\n\n"b@x.io",Bob\n\n\n';
    const { scan, items } = await scanAndRead(csvFile(content), 1);
    expect(scan.total).toBe(2);
    expect(items.map((i) => i.row)).toEqual([1, 2]);
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', name: 'Ann' },
      { email: 'b@x.io', name: 'Bob' },
    ]);
  });

  it('uses a configured delimiter', async () => {
    const { scan, items } = await scanAndRead(csvFile('email;name;note\na@x.io;"Doe; Jane";a,b\n', { delimiter: ';' }));
    expect(scan.header).toEqual(['email', 'name', 'note']);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Doe; Jane', note: 'a,b' }]);
  });

  it('reads tab-separated values', async () => {
    const { items } = await scanAndRead(csvFile('email\tname\na@x.io\t"Ann\tB"\n', { delimiter: '\t' }));
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Ann\tB' }]);
  });

  it('names columns col1…colN without a header row, and counts the first row', async () => {
    const { scan, items } = await scanAndRead(csvFile('a@x.io,Ann,1\nb@x.io,Bob,2\n', { header: false }), 1);
    expect(scan.header).toEqual(['col1', 'col2', 'col3']);
    expect(scan.total).toBe(2);
    expect(recordsOf(items)).toEqual([
      { col1: 'a@x.io', col2: 'Ann', col3: '1' },
      { col1: 'b@x.io', col2: 'Bob', col3: '2' },
    ]);
  });

  it('returns the header of a file without records', async () => {
    const { scan, items } = await scanAndRead(csvFile('email,name\n'));
    expect(scan).toMatchObject({ total: 0, batches: [], header: ['email', 'name'] });
    expect(items).toEqual([]);
  });

  it('decodes latin1', async () => {
    const bytes = Buffer.from('email,name\na@x.io,Ren\xe9e\n', 'latin1');
    const { items } = await scanAndRead(csvFile(bytes, { encoding: 'latin1' }));
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Renée' }]);
  });

  it('treats a quote inside an unquoted field as data', async () => {
    const { items } = await scanAndRead(csvFile('email,height\na@x.io,5\'2"\nb@x.io,6"\n'));
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', height: '5\'2"' },
      { email: 'b@x.io', height: '6"' },
    ]);
  });
});

describe('csv header', () => {
  it('fails the scan on a duplicate column name', async () => {
    const options = csvFile('email,name,email\na,b,c\n');
    await expect(sources.csv.scan(options, 10)).rejects.toThrow(
      `[source:csv] ${options.path}:1:12: bad header row at byte 11: column name "email" appears twice (columns 1 and 3)`,
    );
  });

  it.each([
    ['an empty file', '', /has no header row: it is empty \(0 bytes\)/],
    ['blank lines only', '\n\r\n\n', /has no header row: it is only blank lines/],
  ])('fails the scan of %s: no header row is not a file of 0 users', async (_name, text, message) => {
    await expect(sources.csv.scan(csvFile(text), 10)).rejects.toThrow(message);
  });

  it.each([
    ['spaces only', '   '],
    ['spaces and tabs on several lines', '  \n\t\r\n \n'],
    ['blank names between delimiters', ' ,\t\n'],
  ])('fails the scan of a header of %s: a blank file is not a file of 0 users', async (_name, text) => {
    await expect(sources.csv.scan(csvFile(text), 10)).rejects.toThrow(
      /bad header row at byte 0: every column name is blank \(spaces or tabs only\)\. Hint: a CSV file with no users still has its header line/,
    );
  });

  it('still reads a blank first row as a record without a header row (csv.header false)', async () => {
    const { scan, items } = await scanAndRead(csvFile('  \n', { header: false }));
    expect(scan.total).toBe(1);
    expect(recordsOf(items)).toEqual([{ col1: '  ' }]);
  });

  it('reads an empty file without a header row (csv.header false) as 0 records', async () => {
    const { scan, items } = await scanAndRead(csvFile('', { header: false }));
    expect(scan).toMatchObject({ total: 0, batches: [] });
    expect(items).toEqual([]);
  });

  it('does not say a file starts with two byte order marks when its one BOM follows blank lines', async () => {
    const afterBlank = csvFile('\n\r\n\uFEFFEmail,Name\na@x.io,Ann\n');
    const error = await sources.csv.scan(afterBlank, 10).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(error).toContain(`column 1's name holds an invisible U+FEFF (byte order mark): "\\uFEFFEmail"`);
    expect(error).toContain('only one, as the very first character of the file, is dropped');
    expect(error).not.toContain('two byte order marks');
  });

  it('drops exactly one BOM: a second one is data, and a column name holding it fails the scan rather than hide the column', async () => {
    const twoBoms = csvFile('\uFEFF\uFEFFEmail,Name\na@x.io,Ann\n');
    await expect(sources.csv.scan(twoBoms, 10)).rejects.toThrow(
      `[source:csv] ${twoBoms.path}:1:1: bad header row at byte 3: the header line starts with a byte order mark that is not the file's marker (only one, as the very first character of the file, is dropped), so column 1's name holds an invisible U+FEFF (byte order mark): "\\uFEFFEmail", which a mapping of "Email" would not find. Hint: remove it from the header line`,
    );
    await expect(sources.csv.scan(csvFile('Email,"\uFEFFName"\na@x.io,Ann\n'), 10)).rejects.toThrow(
      /:1:8: bad header row at byte 7: column 2's name holds an invisible U\+FEFF \(byte order mark\): "\\uFEFFName", which a mapping of "Name" would not find/,
    );
    // Without a header row the first row is data, and a row starting with a BOM is a PARSE_ERROR (as a JSON record is), not a value holding it.
    const { items } = await scanAndRead(csvFile('\uFEFF\uFEFFa@x.io,Ann\n', { header: false }));
    expect(errorsOf(items)).toEqual([{ row: 1, raw: '\uFEFFa@x.io,Ann', error: expect.stringContaining('it starts with a byte order mark') as string }]);
  });

  it('fails the scan of a file said to be latin1 that starts with a UTF-8 BOM: it is UTF-8, and é would be written as Ã©', async () => {
    for (const header of [true, false]) {
      const options = csvFile(Buffer.from('\uFEFFemail,given_name\nj@x.io,José\n', 'utf8'), { encoding: 'latin1', header });
      await expect(sources.csv.scan(options, 10)).rejects.toThrow(
        `[source:csv] ${options.path} starts with a UTF-8 byte order mark, but source.csv.encoding is latin1: read as Windows-1252, its accented letters would be written wrong (é as Ã©). Hint: remove encoding: latin1 (UTF-8 is the default)`,
      );
    }
    // The same bytes without the mark are read as the encoding says.
    const { items } = await scanAndRead(csvFile(Buffer.from('email,given_name\nj@x.io,Jos\xe9\n', 'latin1'), { encoding: 'latin1' }));
    expect(recordsOf(items)).toEqual([{ email: 'j@x.io', given_name: 'José' }]);
  });

  // Without the mark the job succeeded, every accented letter stored as two wrong ones.
  it('fails the scan of a file said to be latin1 whose bytes beyond ASCII are all UTF-8, without a BOM too', async () => {
    for (const header of [true, false]) {
      const options = csvFile(Buffer.from('email,given_name\nj@x.io,Jose\nk@x.io,José\nl@x.io,Zoë\n', 'utf8'), { encoding: 'latin1', header });
      await expect(sources.csv.scan(options, 1)).rejects.toThrow(
        `[source:csv] ${options.path} is UTF-8 text (all its bytes beyond ASCII are UTF-8, the first at byte 39: "é"), but source.csv.encoding is latin1: read as Windows-1252, é would be written as Ã©. Hint: remove encoding: latin1 (UTF-8 is the default)`,
      );
    }
    // One byte that is not UTF-8, even after UTF-8-looking ones, and the file is Windows-1252 as said.
    const mixed = csvFile(Buffer.concat([Buffer.from('email,given_name\nj@x.io,\xc3\xa9\n', 'latin1'), Buffer.from('k@x.io,Jos\xe9\n', 'latin1')]), {
      encoding: 'latin1',
    });
    const { items } = await scanAndRead(mixed);
    expect(recordsOf(items)).toEqual([
      { email: 'j@x.io', given_name: 'Ã©' },
      { email: 'k@x.io', given_name: 'José' },
    ]);
    // ASCII only is the same text either way.
    expect(recordsOf((await scanAndRead(csvFile('email\nj@x.io\n', { encoding: 'latin1' }))).items)).toEqual([{ email: 'j@x.io' }]);
  });

  it('fails the scan on a malformed header', async () => {
    await expect(sources.csv.scan(csvFile('email,"name\na,b\n'), 10)).rejects.toThrow(/:1:7: bad header row at byte 6: unbalanced quote/);
  });

  it.each([
    ['"', 'utf8'],
    ['§', 'utf8'],
    ['ā', 'latin1'],
    ['\u0080', 'latin1'],
  ] as const)('refuses the delimiter %s in %s', async (delimiter, encoding) => {
    await expect(sources.csv.scan(csvFile('a,b\n', { delimiter, encoding }), 10)).rejects.toThrow(/delimiter .* cannot be used/);
  });

  it('accepts a Windows-1252 delimiter in latin1: € is the byte 0x80', async () => {
    const options = csvFile(Buffer.from([...Buffer.from('email'), 0x80, ...Buffer.from('name\na@x.io'), 0x80, ...Buffer.from('Ann\n')]), {
      delimiter: '€',
      encoding: 'latin1',
    });
    const { scan, items } = await scanAndRead(options);
    expect(scan.header).toEqual(['email', 'name']);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Ann' }]);
  });

  it('accepts a latin1 delimiter outside ASCII', async () => {
    const options = csvFile(Buffer.from('email§name\na@x.io§"Ann§B"\n', 'latin1'), { delimiter: '§', encoding: 'latin1' });
    const { items } = await scanAndRead(options);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', name: 'Ann§B' }]);
  });

  it('keeps a header named __proto__ as a plain field', async () => {
    const { items } = await scanAndRead(csvFile('email,__proto__\na@x.io,x\n'));
    const [record] = recordsOf(items);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.entries(record!)).toEqual([
      ['email', 'a@x.io'],
      ['__proto__', 'x'],
    ]);
  });
});
