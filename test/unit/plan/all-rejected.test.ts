import { describe, expect, it } from 'vitest';
import { runPipelineJob } from '../../../src/plan/orchestrate.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';

/** Issue 20: a job with 197 of 197 records rejected "succeeded" with exit 0. It fails now, on both engines (one orchestration). */
describe('a job that rejects every record', () => {
  const notify = [{ webhook: 'http://127.0.0.1:9/h' }];

  it('fails, finalizes as failed (keeping its reject report) and notifies failed', async () => {
    const fake = fakeActivities({ total: 20, batches: 2, rejectsPerBatch: () => 10 });
    const outcome = await runPipelineJob(testPlan({ notify }), fake.acts);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('every record was rejected (20 of 20), nothing was written; set validate.allow_all_rejected: true if that can be expected');
    expect(fake.calls.slice(-2)).toEqual(['finalizeJob:failed', 'notify:0:failed']);
  });

  it('succeeds when the pipeline allows it, or when one record got through', async () => {
    const allowed = fakeActivities({ total: 20, batches: 2, rejectsPerBatch: () => 10 });
    const plan = testPlan({ validate: { schema: 'user', rules: [], allow_all_rejected: true } });
    expect(plan.validate.allowAllRejected).toBe(true);
    expect((await runPipelineJob(plan, allowed.acts)).status).toBe('succeeded');
    const one = fakeActivities({ total: 20, batches: 2, rejectsPerBatch: (b) => (b === 0 ? 10 : 9) });
    expect((await runPipelineJob(testPlan(), one.acts)).status).toBe('succeeded');
  });

  it('an empty source is not "every record rejected"', async () => {
    const fake = fakeActivities({ total: 0, batches: 0 });
    expect((await runPipelineJob(testPlan(), fake.acts)).status).toBe('succeeded');
  });

  it('leaves plans without the setting unchanged (no allowAllRejected key), so resumed jobs see the same plan', () => {
    expect(testPlan().validate).not.toHaveProperty('allowAllRejected');
  });
});
