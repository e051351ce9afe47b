import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { retryingOf } from '../../../src/engine/temporal/retries.js';

describe('retryingOf: the steps of a running job being retried, for jobs show and the progress line', () => {
  it('names a batch by its heartbeat cursor, else by its failure, and says which attempt failed and why', () => {
    const pending = [
      { activityType: { name: 'runBatch' }, attempt: 1, maximumAttempts: 3 }, // a first attempt: not a retry
      {
        activityType: { name: 'runBatch' },
        attempt: 2,
        maximumAttempts: 3,
        heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload({ batch: 7, chunk: 1 })] },
        lastFailure: { message: 'activity Heartbeat timeout' },
      },
      { activityType: { name: 'runBatch' }, attempt: 3, maximumAttempts: 5, lastFailure: { message: 'batch 4 (rows 41–50): database\nis locked' } },
      { activityType: { name: 'finalizeJob' }, attempt: 2, maximumAttempts: 3 },
    ];
    expect(retryingOf(pending)).toBe(
      'batch 7: attempt 1 of 3 failed (activity Heartbeat timeout); retrying; ' +
        'batch 4: attempt 2 of 5 failed (batch 4 (rows 41–50): database is locked); retrying; ' +
        'finalizing: attempt 1 of 3 failed; retrying',
    );
  });

  it('is null when no step is retried', () => {
    expect(retryingOf([{ activityType: { name: 'runBatch' }, attempt: 1 }])).toBeNull();
    expect(retryingOf(undefined)).toBeNull();
  });

  it('shortens a long failure to one line', () => {
    const text = retryingOf([{ activityType: { name: 'planJob' }, attempt: 2, maximumAttempts: 2, lastFailure: { message: 'x'.repeat(500) } }]);
    expect(text).toMatch(/^planning: attempt 1 of 2 failed \(x{199}…\); retrying$/);
  });
});
