import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../../src/sources/byte-batches.js';
import { MAX_RECORD_BYTES } from '../../../src/sources/record-cutter.js';
import { sources } from '../../../src/sources/index.js';
import type { ByteRange, FileSourceOptions, SourceRecord, SourceScan } from '../../../src/sources/types.js';
import { optionsFor, placeOf, readAll, tempDir } from './helpers.js';
import { seededRandom as random } from '../../helpers/seeded-random.js';

/**
 * Every record says the line of the file it starts on (its `line`, and file:line:col in its
 * error), which is not its row when a quoted cell or a pretty-printed object spans lines. Checked
 * against a naive count from the file's start, at every batch size, across read chunks, and on a
 * batch read on from the middle, as a retry after a crash reads it.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

interface Generated {
  content: Buffer;
  /** The byte each record starts at, in order. */
  starts: number[];
  /** The byte of each malformed record's problem, by row. */
  bad: Map<number, number>;
}

/**
 * A CSV file of `rows` rows whose line ends are LF, CRLF or a bare CR at random, with blank lines,
 * quoted cells holding line ends, multi-byte characters, and rows one cell short.
 */
function generatedCsv(seed: number, rows: number, pad = 0, bom = false): Generated {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const ends = ['\n', '\r\n', '\r'] as const;
  const parts: Buffer[] = [];
  let at = 0;
  const put = (text: string): void => {
    const bytes = Buffer.from(text);
    parts.push(bytes);
    at += bytes.length;
  };
  if (bom) put('\uFEFF');
  put(`email,name,note${pick(ends)}`);
  const starts: number[] = [];
  const bad = new Map<number, number>();
  for (let row = 1; row <= rows; row++) {
    if (next() < 0.1) put(pick(ends));
    starts.push(at);
    const name = next() < 0.3 ? `"Zoë${pick(ends)}${'é'.repeat(Math.floor(next() * 4))} ""Q""${pick(ends)}x"` : `Ann ${'日'.repeat(Math.floor(next() * 3))}`;
    const note = 'n'.repeat(pad ? Math.floor(next() * pad) : 2);
    if (next() < 0.15) {
      bad.set(row, at);
      put(`u${row}@x.io,${name}${pick(ends)}`);
    } else {
      put(`u${row}@x.io,${name},${note}${pick(ends)}`);
    }
  }
  return { content: Buffer.concat(parts), starts, bad };
}

/** The 1-based line of the byte `byte`, counted from the file's start (LF, CRLF, bare CR). */
function lineOf(content: Buffer, byte: number): number {
  return content
    .subarray(0, byte)
    .toString('latin1')
    .split(/\r\n|\r|\n/).length;
}

/** lineOf each of `starts` (ascending), in one pass over the file. */
function linesOf(content: Buffer, starts: number[]): number[] {
  let line = 1;
  let at = 0;
  return starts.map((start) => {
    // Counted up to each start: a start is never between the CR and LF of one line end.
    line += lineOf(content.subarray(at, start), start - at) - 1;
    at = start;
    return line;
  });
}

function expectLines(items: SourceRecord[], options: FileSourceOptions, generated: Generated): void {
  const { content, starts, bad } = generated;
  const lines = linesOf(content, starts);
  expect(items.map((i) => i.row)).toEqual(starts.map((_, i) => i + 1));
  expect(items.map((i) => i.line)).toEqual(lines);
  for (const item of items) {
    const at = bad.get(item.row);
    // A row starts its line: its width error is at column 1 of it.
    if (at === undefined) expect(item).toHaveProperty('record');
    else expect(item).toMatchObject({ error: `expected 3 columns, got 2 at ${basename(options.path)}:${lines[item.row - 1]}:1 (byte ${at})` });
  }
}

describe('the line of a CSV record', () => {
  it.each([
    [1, 1],
    [2, 3],
    [3, 1000],
  ])('is the line it starts on, with quoted line ends, blank lines and mixed line ends (seed %i, batch size %i)', async (seed, batchSize) => {
    const generated = generatedCsv(seed, 300, 0, seed === 2);
    const options = optionsFor('csv', tmp.file(`gen-${++n}.csv`, generated.content));
    const scan = await sources.csv.scan(options, batchSize);
    expectLines(await readAll(options, scan), options, generated);
  });

  it('is counted across read chunks, in a file of several', async () => {
    const generated = generatedCsv(4, 8000, 800);
    expect(generated.content.length).toBeGreaterThan(2 * CHUNK_BYTES);
    const options = optionsFor('csv', tmp.file(`gen-${++n}.csv`, generated.content));
    for (const batchSize of [7, 2500]) {
      const scan = await sources.csv.scan(options, batchSize);
      expectLines(await readAll(options, scan), options, generated);
    }
  });

  it('is right in a batch read on from the middle (a retry after its last committed chunk), past a read chunk', async () => {
    const generated = generatedCsv(5, 6000, 600);
    const options = optionsFor('csv', tmp.file(`gen-${++n}.csv`, generated.content));
    const scan = await sources.csv.scan(options, 6000);
    const range = scan.batches[0]!;
    const from = generated.starts.findIndex((start) => start > CHUNK_BYTES + 1000);
    // As runBatch builds it: the planned range, from the position after the last committed record.
    const rest: ByteRange = { ...range, start: generated.starts[from]!, firstRow: from + 1, count: range.count - from };
    const items: SourceRecord[] = [];
    for await (const item of sources.csv.read(options, rest, scan)) items.push(item);
    expect(items[0]!.row).toBe(from + 1);
    expect(items.map((i) => i.line)).toEqual(linesOf(generated.content, generated.starts).slice(from));
  });

  it('counts a latin1 file one character a byte in the column', async () => {
    const content = Buffer.from('email,name\r\nr\xe9\xe9,"x\r\ny"\r\n\xe9\xe9,"a"z\r\n', 'latin1');
    const options = optionsFor('csv', tmp.file(`latin-${++n}.csv`, content), { encoding: 'latin1' });
    const scan = await sources.csv.scan(options, 1);
    const [, item] = await readAll(options, scan);
    expect(item).toMatchObject({
      line: 4,
      error: `unexpected "z" after a closing quote (column 2) at ${placeOf(options.path, content, content.indexOf('z'), 'latin1')}`,
    });
    expect(placeOf(options.path, content, content.indexOf('z'), 'latin1')).toMatch(/:4:7 /);
  });

  it.each([
    ['made before lines were counted', {}],
    ['edited: a line that is text', { line: '2' }],
    ['edited: a line below 1', { line: 0 }],
    ['edited: a fraction', { line: 1.5 }],
  ])('is left out by a plan %s, whose errors say the byte as before', async (_, edit) => {
    const options = optionsFor('csv', tmp.file(`old-${++n}.csv`, 'email,name\na@x.io\n'));
    const scan = await sources.csv.scan(options, 10);
    const { line: _line, lineStart: _start, column: _column, ...digest } = scan.batches[0]!.digest!;
    const old = { ...scan, batches: [{ ...scan.batches[0]!, digest: { ...digest, ...edit } }] } as SourceScan;
    const items = await readAll(options, old);
    expect(items).toEqual([{ row: 1, raw: 'a@x.io', error: 'expected 2 columns, got 1 at byte 11 of the file' }]);
  });
});

describe('the line of a JSON or NDJSON record', () => {
  it.each([1, 2, 1000])('NDJSON with mixed line ends and blank lines, batch size %i', async (batchSize) => {
    const text = '{"email":"a@x.io"}\r\n\n{"email":"b@x.io"}\r\r{"email":"c@x.io",\n"x":1}\n  {"email":"é@x.io","y":tru}\n';
    const options = optionsFor('ndjson', tmp.file(`lines-${++n}.ndjson`, text));
    const items = await readAll(options, await sources.ndjson.scan(options, batchSize));
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 3],
      [3, 5],
      [4, 6],
      [5, 7],
    ]);
    expect(items[4]).toMatchObject({ error: `invalid JSON: Unexpected token '}' at ${placeOf(options.path, text, Buffer.from(text).lastIndexOf('}'))}` });
    expect(items[4]).toMatchObject({ error: expect.stringContaining(':7:28 (') });
  });

  it.each([1, 2, 1000])('a pretty-printed JSON array, elements starting mid-line, batch size %i', async (batchSize) => {
    const text = '[\n  {"email":"a@x.io"}, {"email":"é@x.io",\n    "x": [1,,2]},\n  {\n    "email":"c@x.io"\n  }, {"email": }\n]\n';
    const options = optionsFor('json', tmp.file(`pretty-${++n}.json`, text));
    const items = await readAll(options, await sources.json.scan(options, batchSize));
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 2],
      [2, 2],
      [3, 4],
      [4, 6],
    ]);
    const bytes = Buffer.from(text);
    expect(items[1]).toMatchObject({ error: `invalid JSON: Unexpected token ',' at ${placeOf(options.path, text, bytes.indexOf(',,') + 1)}` });
    expect(items[3]).toMatchObject({ error: expect.stringContaining(`at ${placeOf(options.path, text, bytes.indexOf(' }\n]') + 1)}`) });
  });
});

describe('a whole scan', () => {
  it('gives every batch the line and column of its first byte', async () => {
    const generated = generatedCsv(6, 200);
    const options = optionsFor('csv', tmp.file(`gen-${++n}.csv`, generated.content));
    const scan = await sources.csv.scan(options, 9);
    for (const batch of scan.batches) {
      expect(batch.digest).toMatchObject({ start: batch.start, line: lineOf(generated.content, batch.start), lineStart: batch.start, column: 1 });
    }
  });
});

describe("a scan's error", () => {
  it.each([
    ['csv', '\r\n\nemail,email\n', '3:7', 'bad header row at byte 9: column name "email" appears twice'],
    ['json', '[{"a":1}\r\n\n {"b":2}]', '3:2', 'expected "," or "]" between the elements of the array, found "{" at byte 12'],
    ['json', '[{"a":"é"},\n\n ,{"b":2}]', '3:2', 'unexpected "," at byte 15'],
  ] as const)('%s: says its place as file:line:col (%j)', async (format, text, place, said) => {
    const options = optionsFor(format, tmp.file(`bad-${++n}.${format}`, text));
    await expect(sources[format].scan(options, 10)).rejects.toThrow(`[source:${format}] ${options.path}:${place}: ${said}`);
  });

  it('a record longer than the limit: at the line it starts on, past quoted line ends', async () => {
    const head = 'email,name\na@x.io,"b\r\nc"\r\rb@x.io,';
    const options = optionsFor(
      'csv',
      tmp.file(`long-${++n}.csv`, Buffer.concat([Buffer.from(head), Buffer.alloc(MAX_RECORD_BYTES + 10, 0x78), Buffer.from('\n')])),
    );
    await expect(sources.csv.scan(options, 10)).rejects.toThrow(
      `[source:csv] ${options.path}:5:1: the record at byte ${Buffer.byteLength(head) - 'b@x.io,'.length} is longer than 16 MiB`,
    );
  });
});
