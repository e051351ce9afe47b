import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../src/sources/record-cutter.js';
import { sampleSource } from '../../../src/sources/sample.js';
import { optionsFor, tempDir } from './helpers.js';

/**
 * validate's sample of a JSON or NDJSON file read its first megabyte only: a first record longer
 * than the job reads (16 MiB, most often a file of one line) left the sample empty, validate said
 * ok, and the job's plan failed on it. The sample now reads the first record to its end or to that
 * length, as the job does; a record over a megabyte but under the limit is sampled.
 */
const t = tempDir();
afterAll(() => t.cleanup());

describe('the sample of a JSON or NDJSON file whose first record is long', () => {
  it.each(['ndjson', 'json'] as const)('%s: one longer than a job reads is the problem the job has', async (format) => {
    const record = `{"email":"a@x.io","name":"${'x'.repeat(MAX_RECORD_BYTES + 10)}"}`;
    const text = format === 'json' ? `[${record},{"email":"b@x.io"}]` : `${record}\n{"email":"b@x.io"}\n`;
    const options = optionsFor(format, t.file(`long.${format}`, text));
    const sample = await sampleSource(options, 100);
    expect(sample).toEqual({ format, problem: expect.stringContaining(`is longer than 16 MiB`) });
  });

  it('one of 3 MB is sampled with the records after it in the first megabyte past it', async () => {
    const text = `{"email":"a@x.io","name":"${'x'.repeat(3_000_000)}"}\n{"email":"b@x.io"}\n`;
    const sample = await sampleSource(optionsFor('ndjson', t.file('three.ndjson', text)), 100);
    expect(sample && 'records' in sample ? sample.records.map((r) => r['email']) : sample).toEqual(['a@x.io', 'b@x.io']);
  });
});
