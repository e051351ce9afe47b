import type { PipelineActivities, RunBatchOutput } from '../../src/plan/activity-types.js';
import { buildJobPlan, type JobPlan } from '../../src/plan/job-plan.js';
import type { Pipeline } from '../../src/spec/pipeline-schema.js';

/** A plan for orchestration tests: nothing it names is read, the fake activities stand in. */
export function testPlan(overrides: Partial<Pipeline> = {}): JobPlan {
  const pipeline = { source: { file: 'u.json' }, target: { connection: 'users', key: ['email'], upsert: false, metadata: 'merge' }, ...overrides } as Pipeline;
  return buildJobPlan(pipeline, {
    jobId: 'job-1',
    pipeline: 'p',
    pipelineFile: '/p.yaml',
    pipelineHash: 'h',
    startedAt: '2026-01-01T00:00:00.000Z',
    jobDir: '/jobs/job-1',
    sourcePath: '/u.json',
    sourceFormat: 'json',
  });
}

export interface FakeOptions {
  total: number;
  batches: number;
  rejectsPerBatch?: (batch: number) => number;
  failBatch?: (batch: number) => Error | undefined;
  /** Each batch's rows count as exported (an export's batches write parts), not inserted. */
  exports?: boolean;
}

/** Activities that return counts without I/O, and record every call in order. */
export function fakeActivities(options: FakeOptions) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const acts: PipelineActivities = {
    async planJob() {
      calls.push('planJob');
      return { checksum: 'c', total: options.total, batches: options.batches };
    },
    async runBatch({ batch }): Promise<RunBatchOutput> {
      calls.push(`runBatch:${batch}`);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 1 + ((batch * 7) % 5)));
      running--;
      const error = options.failBatch?.(batch);
      if (error) throw error;
      const rejected = options.rejectsPerBatch?.(batch) ?? 0;
      const read = Math.ceil(options.total / options.batches);
      const written = read - rejected;
      return { batch, read, inserted: options.exports ? 0 : written, updated: 0, unchanged: 0, rejected, exported: options.exports ? written : 0 };
    },
    async finalizeJob({ status }) {
      calls.push(`finalizeJob:${status}`);
      return { rejectsFile: '/jobs/job-1/rejects.ndjson', rejects: 0, output: null };
    },
    async notify({ index, status }) {
      calls.push(`notify:${index}:${status}`);
      return { index, ok: true, detail: 'sent' };
    },
  };
  return { acts, calls, maxRunning: () => maxRunning };
}
