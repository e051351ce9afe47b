import { describe, expect, it } from 'vitest';
import { buildJobPlan, commitRecords, type PlanContext } from '../../../src/plan/job-plan.js';
import { diffPlans } from '../../../src/plan/plan-diff.js';
import { pipelineSchema, type PipelineInput } from '../../../src/spec/pipeline-schema.js';

const ctx: PlanContext = {
  jobId: 'import-20260102T030405-abcd',
  pipeline: 'import',
  pipelineFile: 'p/import.yaml',
  pipelineHash: 'h',
  startedAt: '2026-01-02T03:04:05.000Z',
  jobDir: 'state/jobs/x',
  sourcePath: 'users.csv',
  sourceFormat: 'csv',
};

const pipeline = (batch?: PipelineInput['batch']) =>
  pipelineSchema.safeParse({ source: { file: 'users.csv' }, target: { connection: 'users' }, ...(batch ? { batch } : {}) });
const plan = (batch?: PipelineInput['batch']) => buildJobPlan(pipelineSchema.parse(pipeline(batch).data), ctx);

describe('batch.commit: records per transaction', () => {
  it('is 1,000 unless the pipeline says, and a plan without it (as every older plan) is unchanged', () => {
    expect(plan().batch).toEqual({ size: 1000, parallelism: 4 });
    expect(commitRecords(plan({ size: 5000 }))).toBe(1000);
    expect(plan({ size: 5000, commit: 1000 }).batch).not.toHaveProperty('commit');
    expect(commitRecords(plan({ size: 20_000, commit: 10_000 }))).toBe(10_000);
  });

  it('is a change a resume reports, like the batch size', () => {
    expect(diffPlans(plan({ size: 5000 }), plan({ size: 5000, commit: 5000 }))).toEqual(['batch.commit: (none) → 5000']);
  });

  it('is not changed by what only a Temporal submit adds (its project digests), which the worker checks instead', () => {
    const submitted = { ...plan({ size: 5000 }), project: { name: 'y', config: 'c'.repeat(64), source: 's'.repeat(64) } };
    expect(diffPlans(submitted, plan({ size: 5000 }))).toEqual([]);
  });

  it('accepts 1,000 to 10,000: a batch of 100,000 never has more chunks than its marker ids hold', () => {
    for (const commit of [999, 10_001, 2500.5]) expect(pipeline({ commit }).success, String(commit)).toBe(false);
    for (const commit of [1000, 10_000]) expect(pipeline({ commit }).success).toBe(true);
  });
});
