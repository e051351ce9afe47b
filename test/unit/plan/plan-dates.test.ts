import { describe, expect, it } from 'vitest';
import { cheapSubmissionKey } from '../../../src/engine/submission.js';
import { buildJobPlan, type PlanContext } from '../../../src/plan/job-plan.js';
import { pipelineSchema } from '../../../src/spec/pipeline-schema.js';

const ctx = (startedAt: string, extra: Partial<PlanContext> = {}): PlanContext => ({
  jobId: `inc-${startedAt}`,
  pipeline: 'inc',
  pipelineFile: '/p/inc.yaml',
  pipelineHash: 'h',
  startedAt,
  jobDir: `/state/jobs/${startedAt}`,
  targetPath: '/out/changed.ndjson',
  targetFormat: 'ndjson',
  ...extra,
});

const plan = (query: string, context: PlanContext) =>
  buildJobPlan(pipelineSchema.parse({ source: { connection: 'users', query }, target: { file: 'changed.ndjson' } }), context);

describe('buildJobPlan: date math in the query', () => {
  it('resolves now from the job start and keeps the query as written', () => {
    const p = plan('updated_at:[now-1d/d TO now/d}', ctx('2026-12-03T02:00:00.123Z'));
    expect(p.source).toEqual({
      type: 'connection',
      connection: 'users',
      query: 'updated_at:[2026-12-02T00:00:00.000Z TO 2026-12-03T00:00:00.000Z}',
      dates: { written: 'updated_at:[now-1d/d TO now/d}' },
    });
  });

  it('records the {last_success} it used, null for none; refuses to guess one', () => {
    const first = plan('updated_at:[{last_success} TO *]', ctx('2026-12-03T02:00:00.000Z', { lastSuccess: null }));
    expect(first.source).toMatchObject({ query: 'updated_at:[* TO *]', dates: { lastSuccess: null } });
    const next = plan('updated_at:[{last_success} TO *]', ctx('2026-12-04T02:00:00.000Z', { lastSuccess: '2026-12-03T02:00:00.000Z' }));
    expect(next.source).toMatchObject({ query: 'updated_at:[2026-12-03T02:00:00.000Z TO *]', dates: { lastSuccess: '2026-12-03T02:00:00.000Z' } });
    expect(() => plan('updated_at:[{last_success} TO *]', ctx('2026-12-04T02:00:00.000Z'))).toThrow(/lacks lastSuccess/);
  });

  it('two submissions of the same query a moment apart are the same submission', () => {
    const a = plan('updated_at:[now-1h TO *]', ctx('2026-12-03T02:00:00.000Z'));
    const b = plan('updated_at:[now-1h TO *]', ctx('2026-12-03T02:00:00.250Z'));
    expect(a.source).not.toEqual(b.source);
    expect(cheapSubmissionKey(a)).toBe(cheapSubmissionKey(b));
  });
});
