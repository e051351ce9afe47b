import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/engine/engine.js';
import { unresumableFailure } from '../../../src/cli/failure-hint.js';

const job = { id: 'import-1', plan: { pipelineFile: '/p/import.yaml' } } as unknown as JobInfo;
const hint = (error: string | null) => unresumableFailure(job, error, (path) => path.replace('/p/', ''));

describe('the last line of a failed job a resume cannot fix as things are', () => {
  it('a store that lost what the job wrote before: a new job', () => {
    const expected = 'job import-1 failed, and a resume would fail the same way: ferry run import.yaml runs the pipeline as a new job';
    expect(hint('batch 2: [connection:sqlite] batch 2 (rows 101–150): the rows job import-1 wrote before are no longer in table users (none of …')).toBe(
      expected,
    );
    expect(hint('batch 0: job import-1 wrote batches before it stopped, but the store holds none of its batch markers (…)')).toBe(expected);
  });

  it('a source file refused while planning: fix it, and a resume plans it again', () => {
    expect(hint('[source:json] users.json: expected a JSON array of users at byte 0, found "{"')).toBe(
      'job import-1 failed planning: its source file would fail the same way again; fix the file as the error says, then ferry jobs resume import-1 continues it',
    );
  });

  it('a source file refused by a batch: it was planned as it is, so a fixed file is a new job', () => {
    expect(hint('batch 3: [source:csv] users.csv: the record at byte 11 is longer than 16 MiB')).toBe(
      'job import-1 failed: its source file would fail the same way again; fix the file as the error says, then ferry run import.yaml reads it anew, as a new job',
    );
  });

  it.each([
    ['a file that could not be read (may pass)', '[source:csv] cannot read users.csv: EMFILE: too many open files'],
    ['a store that went away', 'batch 1: [connection:postgres] batch 1 (rows 51–100): Connection terminated unexpectedly'],
    ['a locked store', 'batch 0: [connection:sqlite] database is locked'],
    ['no error', null],
  ])('%s keeps the resume hint', (_name, error) => {
    expect(hint(error)).toBeUndefined();
  });
});
