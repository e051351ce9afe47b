import type { NotifyInput } from '../../../src/plan/activity-types.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import type { NotifyEntry } from '../../../src/spec/pipeline-schema.js';
import type { Reject } from '../../../src/validation/reject.js';

/** A finished import's plan, as planJob saves it in plan.json. */
export function samplePlan(jobDir = '/srv/ferry/.ferry/jobs/import-users-20250102T030405-ab12', notify: NotifyEntry[] = []): JobPlan {
  return {
    version: 1,
    jobId: 'import-users-20250102T030405-ab12',
    pipeline: 'import-users',
    pipelineFile: '/srv/ferry/pipelines/import-users.yaml',
    pipelineHash: 'f'.repeat(64),
    startedAt: '2025-01-02T03:04:05.000Z',
    jobDir,
    kind: 'import',
    source: { type: 'file', path: '/srv/ferry/users.json', format: 'json', csv: { delimiter: ',', header: true, encoding: 'utf8' } },
    target: { type: 'connection', connection: 'users', key: ['email'], upsert: false, metadata: 'merge' },
    columns: null,
    validate: { schema: 'user', rules: [], maxRejects: null },
    batch: { size: 1000, parallelism: 4 },
    retry: { maxAttempts: 1, initialIntervalMs: 10, maxIntervalMs: 10 },
    notify,
  };
}

export function sampleInput(overrides: Partial<NotifyInput> = {}): NotifyInput {
  return {
    plan: samplePlan(),
    index: 0,
    status: 'succeeded',
    summary: { total: 100, inserted: 90, updated: 0, unchanged: 0, rejected: 10, exported: 0, batches: { done: 1, total: 1 } },
    error: null,
    ...overrides,
  };
}

export const sampleRejects: Reject[] = [
  { row: 3, record: { email: 'not-an-email' }, errors: [{ code: 'FORMAT', message: 'must be a valid email', path: 'email' }] },
  {
    row: 7,
    record: { email: 'h@example.com', password_hash: '*****' },
    errors: [
      { code: 'PATTERN', message: 'must be a bcrypt hash ($2a$ or $2b$)', path: 'password_hash' },
      { code: 'RULE', message: '<script>alert("x")</script> & \'q\'', path: '' },
    ],
  },
];
