import { describe, expect, it } from 'vitest';
import { runPipelineSegment } from '../../../src/plan/orchestrate.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';

/** The orchestration's continue-as-new points (used by the workflow; the embedded engine never continues). */
describe('runPipelineSegment', () => {
  const plan = testPlan({ batch: { size: 10, parallelism: 2, exclusive: true } } as never);

  it('stops launching at a continue point, drains the batches in flight, and a resumed segment finishes the job without planning again', async () => {
    const { acts, calls } = fakeActivities({ total: 50, batches: 5 });
    const first = await runPipelineSegment(plan, acts, { continueAsNew: (started) => started >= 2 });
    expect(first.kind).toBe('continue');
    if (first.kind !== 'continue') return;
    expect(first.state.nextBatch).toBe(2);
    expect(first.state.summary.batches).toEqual({ done: 2, total: 5 });
    const second = await runPipelineSegment(plan, acts, { continueAsNew: () => false }, first.state);
    expect(second).toMatchObject({ kind: 'done', outcome: { status: 'succeeded', summary: { total: 50, inserted: 50, batches: { done: 5, total: 5 } } } });
    expect(calls.filter((c) => c === 'planJob')).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('runBatch')).sort()).toEqual(['runBatch:0', 'runBatch:1', 'runBatch:2', 'runBatch:3', 'runBatch:4']);
    // The resumed segment does not modify the state it was given (the previous run's input).
    expect(first.state.summary.batches.done).toBe(2);
  });

  it('a batch that fails while draining for a continue point fails the job instead', async () => {
    const { acts } = fakeActivities({ total: 50, batches: 5, failBatch: (b) => (b === 1 ? new Error('database is locked') : undefined) });
    const result = await runPipelineSegment(plan, acts, { continueAsNew: (started) => started >= 2 });
    expect(result).toMatchObject({ kind: 'done', outcome: { status: 'failed', error: 'batch 1: database is locked' } });
  });

  it('cancellation wins over continuing', async () => {
    const { acts, calls } = fakeActivities({ total: 50, batches: 5 });
    // Both become true once batch 0 is launched: the job ends cancelled rather than continuing.
    const launched = () => calls.some((c) => c.startsWith('runBatch'));
    const result = await runPipelineSegment(plan, acts, { cancelled: launched, continueAsNew: (started) => started >= 1 });
    expect(result).toMatchObject({ kind: 'done', outcome: { status: 'cancelled' } });
    expect(calls).toContain('finalizeJob:cancelled');
  });
});
