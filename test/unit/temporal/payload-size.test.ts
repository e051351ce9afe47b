import { describe, expect, it } from 'vitest';
import type { PipelineActivities } from '../../../src/plan/activity-types.js';
import { runPipelineSegment, type ContinueState, type SegmentResult } from '../../../src/plan/orchestrate.js';
import { MAX_BATCHES_PER_RUN, shouldContinueAsNew } from '../../../workflows/definitions.js';
import { testPlan } from '../../helpers/fake-activities.js';

const LIMIT = 8 * 1024;
const RECORDS = 10_000_000;
const BATCHES = 10_000;

/**
 * Records never cross into the workflow: for a 10M-record job (10,000 batches) the workflow input,
 * every activity input and output, and the continue-as-new cursor stay a few KB (Temporal's payload
 * limit is 2 MB), and no run of the workflow launches more than MAX_BATCHES_PER_RUN batches.
 */
describe('payload sizes of a 10M-record job', () => {
  const plan = testPlan({
    batch: { size: 1000, parallelism: 16, exclusive: true },
    columns: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`column_${i}`, `$lowercase(Field${i}) & " " & Other${i}`])),
    notify: [{ webhook: 'https://hooks.example.com/ferry', on: ['succeeded', 'failed'] }, { email: ['owners@example.com'] }],
  } as never);

  it('keeps the workflow input, every activity payload and the cursor under 8 KB, and every run under the batch cap', async () => {
    const sizes = { max: 0, count: 0 };
    const measure = (value: unknown): void => {
      sizes.max = Math.max(sizes.max, Buffer.byteLength(JSON.stringify(value)));
      sizes.count++;
    };
    const acts = measuredActivities(measure);
    measure(plan);
    const runs: number[] = [];
    let resume: ContinueState | undefined;
    let result: SegmentResult;
    do {
      let launched = 0;
      result = await runPipelineSegment(plan, acts, { continueAsNew: (started) => ((launched = started), shouldContinueAsNew(started, false)) }, resume);
      if (result.kind === 'continue') {
        measure([plan, result.state]);
        resume = result.state;
      }
      runs.push(result.kind === 'continue' ? result.state.nextBatch : BATCHES);
      expect(launched).toBeLessThanOrEqual(MAX_BATCHES_PER_RUN);
    } while (result.kind === 'continue');
    expect(result.outcome.status).toBe('succeeded');
    expect(result.outcome.summary).toMatchObject({ total: RECORDS, inserted: RECORDS, batches: { done: BATCHES, total: BATCHES } });
    expect(runs).toHaveLength(BATCHES / MAX_BATCHES_PER_RUN);
    expect(sizes.count).toBeGreaterThan(2 * BATCHES);
    expect(sizes.max).toBeLessThan(LIMIT);
  });
});

function measuredActivities(measure: (value: unknown) => void): PipelineActivities {
  const io = async <I, O>(input: I, output: O): Promise<O> => {
    measure(input);
    measure(output);
    return output;
  };
  return {
    planJob: (input) => io(input, { checksum: 'a'.repeat(64), total: RECORDS, batches: BATCHES }),
    runBatch: (input) => io(input, { batch: input.batch, read: 1000, inserted: 1000, updated: 0, unchanged: 0, rejected: 0, exported: 0 }),
    finalizeJob: (input) => io(input, { rejectsFile: '/var/lib/ferry/jobs/job-1/rejects.ndjson', rejects: 0, output: null }),
    notify: (input) => io(input, { index: input.index, ok: true, detail: 'sent to https://hooks.example.com/ferry (HTTP 200)' }),
  };
}
