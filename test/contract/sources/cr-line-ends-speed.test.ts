import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import { optionsFor, tempDir } from './helpers.js';

/**
 * A file whose lines end with a bare CR (an old-Mac export) has no LF: each record's search for
 * one ran to the end of the 1 MiB read buffer, so a scan cost records × buffer (20 MB: 7–9 s
 * instead of 0.2–0.4, a gigabyte several minutes). Scanned as fast as the same file with LFs,
 * within a wide margin (a shared machine's timings vary).
 */
const t = tempDir();
afterAll(() => t.cleanup());

const lines = (format: 'csv' | 'ndjson', end: string, count: number): string => {
  const line = format === 'csv' ? 'u123456@example.com,Some Name' : '{"email":"u123456@example.com","name":"N"}';
  return (format === 'csv' ? `email,name${end}` : '') + Array.from({ length: count }, () => line).join(end) + end;
};

/** The fastest of three scans, in ms: the least disturbed by whatever else the machine runs. */
const scanMs = async (format: 'csv' | 'ndjson', path: string, records: number): Promise<number> => {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    const scan = await sources[format].scan(optionsFor(format, path), 1000);
    best = Math.min(best, performance.now() - started);
    expect(scan.total).toBe(records);
  }
  return best;
};

describe('a file whose lines end with a bare CR', { timeout: 120_000 }, () => {
  it.each(['csv', 'ndjson'] as const)('%s: scans about as fast as the same file with LF line ends', async (format) => {
    const count = 150_000; // about 5-6 MB: several read buffers
    const lf = await scanMs(format, t.file(`lf.${format}`, lines(format, '\n', count)), count);
    const cr = await scanMs(format, t.file(`cr.${format}`, lines(format, '\r', count)), count);
    expect(cr).toBeLessThan(Math.max(4 * lf, 250));
  });
});
