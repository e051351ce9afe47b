import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/engine/engine.js';
import { unresumableFailure } from '../../../src/cli/failure-hint.js';
import type { JobFailure } from '../../../src/plan/orchestrate.js';

const job = { id: 'import-1', plan: { pipelineFile: '/p/import.yaml' } } as unknown as JobInfo;
const hint = (failure: JobFailure | undefined) => unresumableFailure(job, failure, (path) => path.replace('/p/', ''));

describe('the last line of a failed job a resume cannot fix as things are', () => {
  it('a batch that would fail the same way: do what the error says, a resume after a fix or a new job', () => {
    expect(hint({ step: 'batch', retryable: false })).toBe(
      'job import-1 failed, and a resume as things are would fail the same way: do what the error says (fix its cause, then ferry jobs resume import-1 continues it; where it says the job cannot go on, ferry run import.yaml runs the pipeline as a new job)',
    );
  });

  it('planning that would fail the same way: fix, and a resume plans it again', () => {
    expect(hint({ step: 'plan', retryable: false })).toBe(
      'job import-1 failed planning, and a resume as things are would fail the same way: fix what the error says, then ferry jobs resume import-1 continues it',
    );
  });

  it('finishing that would fail the same way: fix, then resume', () => {
    expect(hint({ step: 'finalize', retryable: false })).toContain('job import-1 failed finishing, and a resume as things are would fail the same way');
  });

  it.each([
    ['a retryable batch (a lost connection, a locked store)', { step: 'batch', retryable: true } as const],
    ['a retryable planning', { step: 'plan', retryable: true } as const],
    ['a failure not known (rejects over the budget, a record of an older Ferry)', undefined],
  ])('%s keeps the resume hint', (_name, failure) => {
    expect(hint(failure)).toBeUndefined();
  });
});
