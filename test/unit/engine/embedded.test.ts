import { describe, expect, it } from 'vitest';
import { execute, startJob } from '../../../src/engine/embedded/execute.js';
import type { Journal } from '../../../src/engine/embedded/journal.js';
import { withRetry } from '../../../src/engine/embedded/retry.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';
import { useTempJournal } from '../../helpers/temp-journal.js';

describe('embedded engine', () => {
  let journal: Journal;
  useTempJournal((fresh) => ({ journal } = fresh));

  it('journals every step and records the outcome', async () => {
    const fake = fakeActivities({ total: 30, batches: 3 });
    const outcome = await startJob(testPlan(), { journal, activities: fake.acts });
    expect(outcome.status).toBe('succeeded');
    const job = journal.getJob('job-1')!;
    expect(job).toMatchObject({ status: 'succeeded', summary: outcome.summary, ownerPid: null });
    expect(journal.getStep('job-1', 'runBatch:2')).toEqual({ batch: 2, read: 10, inserted: 10, updated: 0, unchanged: 0, rejected: 0, exported: 0 });
    expect(journal.getStep('job-1', 'finalizeJob@1')).toMatchObject({ rejects: 0 });
  });

  it('replays finished steps on a rerun instead of calling the activities again', async () => {
    const fail = { on: true };
    const first = fakeActivities({ total: 30, batches: 3, failBatch: (b) => (b === 2 && fail.on ? new Error('bad input') : undefined) });
    const plan = { ...testPlan(), batch: { size: 10, parallelism: 1 } };
    expect((await startJob(plan, { journal, activities: first.acts })).status).toBe('failed');
    fail.on = false;
    const second = fakeActivities({ total: 30, batches: 3 });
    journal.update('job-1', { run: 2 });
    const outcome = await execute(journal.getJob('job-1')!, { journal, activities: second.acts });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.summary.batches).toEqual({ done: 3, total: 3 });
    expect(second.calls).toEqual(['runBatch:2', 'finalizeJob:succeeded']);
  });

  it('retries transient errors with backoff and gives up on bad input at once', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const policy = { maxAttempts: 4, initialIntervalMs: 100, maxIntervalMs: 250 };
    const value = await withRetry(
      async () => {
        if (++calls < 4) throw busy;
        return 'ok';
      },
      { policy, isRetryable: (e) => (e as { code?: string }).code === 'SQLITE_BUSY', sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
    );
    expect(value).toBe('ok');
    expect(sleeps).toEqual([100, 200, 250]);
    let badCalls = 0;
    await expect(
      withRetry(async () => (badCalls++, Promise.reject(new Error('bad'))), { policy, isRetryable: () => false, sleep: async () => {} }),
    ).rejects.toThrow('bad');
    expect(badCalls).toBe(1);
  });

  it('refuses to run a job another live process holds', async () => {
    const plan = testPlan();
    journal.createJob(plan, 'running', new Date().toISOString());
    // Our parent process stands in for another live owner with a fresh heartbeat.
    expect(journal.claim('job-1', process.ppid, { now: new Date(), staleMs: 10_000, state: () => 'alive' })).toBe(1);
    await expect(execute(journal.getJob('job-1')!, { journal, activities: fakeActivities({ total: 1, batches: 1 }).acts })).rejects.toThrow(
      /being run by another process/,
    );
  });
});
