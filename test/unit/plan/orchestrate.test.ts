import { describe, expect, it } from 'vitest';
import { runPipelineJob } from '../../../src/plan/orchestrate.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';

describe('runPipelineJob', () => {
  it('plans, runs every batch once, finalizes, and adds up the counts', async () => {
    const fake = fakeActivities({ total: 100, batches: 10, rejectsPerBatch: (b) => (b === 3 ? 2 : 0) });
    const outcome = await runPipelineJob(testPlan(), fake.acts);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.summary).toEqual({ total: 100, inserted: 98, updated: 0, unchanged: 0, rejected: 2, exported: 0, batches: { done: 10, total: 10 } });
    expect(fake.calls[0]).toBe('planJob');
    expect(fake.calls.filter((c) => c.startsWith('runBatch')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `runBatch:${i}`).sort());
    expect(fake.calls.at(-1)).toBe('finalizeJob:succeeded');
  });

  it('keeps at most batch.parallelism batches in flight', async () => {
    const fake = fakeActivities({ total: 200, batches: 20 });
    await runPipelineJob(testPlan({ batch: { size: 10, parallelism: 3, exclusive: true } }), fake.acts);
    expect(fake.maxRunning()).toBe(3);
  });

  it('stops launching batches once the reject budget is exceeded, and fails', async () => {
    const fake = fakeActivities({ total: 100, batches: 10, rejectsPerBatch: () => 3 });
    const plan = testPlan({ validate: { schema: 'user', rules: [], max_rejects: 5 }, batch: { size: 10, parallelism: 1, exclusive: true } });
    const outcome = await runPipelineJob(plan, fake.acts);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('reject budget exceeded: 6 rejected, at most 5 allowed (validate.max_rejects)');
    expect(fake.calls).toEqual(['planJob', 'runBatch:0', 'runBatch:1', 'finalizeJob:failed']);
  });

  it('says the final reject count when batches in flight add rejects after the budget ran out, as the summary does', async () => {
    const fake = fakeActivities({ total: 400, batches: 40, rejectsPerBatch: () => 10 });
    const plan = testPlan({ validate: { schema: 'user', rules: [], max_rejects: 5 }, batch: { size: 10, parallelism: 4, exclusive: true } });
    const outcome = await runPipelineJob(plan, fake.acts);
    expect(outcome.status).toBe('failed');
    expect(outcome.summary.rejected).toBeGreaterThan(10);
    expect(outcome.error).toBe(`reject budget exceeded: ${outcome.summary.rejected} rejected, at most 5 allowed (validate.max_rejects)`);
  });

  it('fails with the batch and its error when a batch fails, after the batches in flight finish', async () => {
    // Temporal's wrapper is unwrapped; the error inside keeps its own message, which puts its cause in context.
    const error = new Error('[connection:sqlite] writing rows 1–2 of job j: disk full. Hint: the disk is full', { cause: new Error('SQLITE_FULL') });
    const wrapped = Object.assign(new Error('Activity task failed', { cause: error }), { name: 'ActivityFailure' });
    const fake = fakeActivities({ total: 40, batches: 4, failBatch: (b) => (b === 1 ? wrapped : undefined) });
    const outcome = await runPipelineJob(testPlan({ batch: { size: 10, parallelism: 2, exclusive: true } }), fake.acts);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('batch 1: [connection:sqlite] writing rows 1–2 of job j: disk full. Hint: the disk is full');
    expect(fake.calls).not.toContain('runBatch:3');
    expect(fake.calls.at(-1)).toBe('finalizeJob:failed');
  });

  it('ends cancelled when asked, without starting more batches', async () => {
    const fake = fakeActivities({ total: 100, batches: 10 });
    let finished = 0;
    const outcome = await runPipelineJob(testPlan({ batch: { size: 10, parallelism: 1, exclusive: true } }), fake.acts, {
      progress: ({ summary }) => (finished = summary.batches.done),
      cancelled: () => finished >= 3,
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.summary.batches).toEqual({ done: 3, total: 10 });
    expect(fake.calls.at(-1)).toBe('finalizeJob:cancelled');
  });

  it('fails without batches when planning fails, and still notifies', async () => {
    const fake = fakeActivities({ total: 0, batches: 0 });
    fake.acts.planJob = async () => {
      throw new Error('source file not found');
    };
    const plan = testPlan({ notify: [{ webhook: 'https://hooks.example.com/x' }] });
    const outcome = await runPipelineJob(plan, fake.acts);
    expect(outcome).toMatchObject({ status: 'failed', error: 'source file not found', artifacts: null });
    expect(fake.calls).toEqual(['notify:0:failed']);
  });

  it('notifies the entries whose `on` matches, and a failed notification leaves the status alone', async () => {
    const fake = fakeActivities({ total: 10, batches: 1 });
    const sent: number[] = [];
    fake.acts.notify = async ({ index }) => {
      sent.push(index);
      if (index === 2) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      return { index, ok: true, detail: 'sent' };
    };
    const plan = testPlan({ notify: [{ email: 'a@x.io', on: ['failed'] }, { email: 'b@x.io', on: ['succeeded'] }, { webhook: 'http://127.0.0.1:9/' }] });
    const outcome = await runPipelineJob(plan, fake.acts);
    expect(outcome.status).toBe('succeeded');
    expect(sent).toEqual([1, 2]);
    expect(outcome.notifications).toEqual([
      { index: 1, ok: true, detail: 'sent' },
      { index: 2, ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:9' },
    ]);
  });

  describe('an export', () => {
    const exportPlan = (): JobPlan => ({ ...testPlan({ batch: { size: 10, parallelism: 1, exclusive: true } }), kind: 'export' });

    it('that succeeds counts the rows its batches exported', async () => {
      const fake = fakeActivities({ total: 40, batches: 4, exports: true });
      const outcome = await runPipelineJob(exportPlan(), fake.acts);
      expect(outcome.status).toBe('succeeded');
      expect(outcome.summary).toMatchObject({ total: 40, exported: 40, inserted: 0 });
    });

    it('whose file cannot be written (a full disk while assembling it) fails and claims no rows exported', async () => {
      const fake = fakeActivities({ total: 40, batches: 4, exports: true, rejectsPerBatch: (b) => (b === 2 ? 1 : 0) });
      const sent: unknown[] = [];
      fake.acts.finalizeJob = async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      fake.acts.notify = async ({ index, summary }) => {
        sent.push(summary);
        return { index, ok: true, detail: 'sent' };
      };
      const plan = { ...exportPlan(), notify: [{ webhook: 'https://hooks.example.com/x' }] };
      const outcome = await runPipelineJob(plan, fake.acts);
      expect(outcome).toMatchObject({ status: 'failed', error: 'ENOSPC: no space left on device, write', artifacts: null });
      // The batches ran and their rejects stand; none of their rows reached the output file.
      const summary = { total: 40, inserted: 0, updated: 0, unchanged: 0, rejected: 1, exported: 0, batches: { done: 4, total: 4 } };
      expect(outcome.summary).toEqual(summary);
      expect(sent).toEqual([summary]);
    });

    it('that fails at a batch (its part could not be written) or is cancelled claims no rows exported', async () => {
      const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const failed = await runPipelineJob(
        exportPlan(),
        fakeActivities({ total: 40, batches: 4, exports: true, failBatch: (b) => (b === 2 ? full : undefined) }).acts,
      );
      expect(failed).toMatchObject({ status: 'failed', summary: { exported: 0, batches: { done: 2, total: 4 } } });
      let done = 0;
      const cancelled = await runPipelineJob(exportPlan(), fakeActivities({ total: 40, batches: 4, exports: true }).acts, {
        progress: ({ summary }) => (done = summary.batches.done),
        cancelled: () => done >= 2,
      });
      expect(cancelled).toMatchObject({ status: 'cancelled', summary: { exported: 0, batches: { done: 2, total: 4 } } });
    });
  });
});
