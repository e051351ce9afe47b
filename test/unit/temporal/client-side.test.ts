import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobMemo, jobStatusOf, submissionKey } from '../../../src/engine/temporal/job-memo.js';
import { scheduleId, scheduleOptions } from '../../../src/engine/temporal/schedules.js';
import { temporalSettings } from '../../../src/engine/temporal/settings.js';
import { toJob } from '../../../src/engine/temporal/visibility.js';
import type { Project } from '../../../src/project/load-config.js';
import { defaultConfig } from '../../../src/spec/config-schema.js';
import { SecretMasker } from '../../../src/spec/secrets.js';
import { tempDir } from '../../helpers/cli.js';
import { testPlan } from '../../helpers/fake-activities.js';

/** The client side's pure parts: settings, submission keys, visibility records, schedule options. */
describe('Temporal client side', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const project = (): Project => ({ rootDir: dir, config: defaultConfig(), stateDir: join(dir, '.ferry'), masker: new SecretMasker() });

  it('takes address, namespace and task queue from ferry.yaml; TEMPORAL_ADDRESS overrides the address', () => {
    expect(temporalSettings(project(), {})).toEqual({ address: 'localhost:7233', namespace: 'default', taskQueue: 'ferry' });
    expect(temporalSettings(project(), { TEMPORAL_ADDRESS: 'temporal.internal:7233' }).address).toBe('temporal.internal:7233');
  });

  it('gives the same submission key to the same pipeline over the same source bytes, and another when either changes', async () => {
    const source = join(dir, 'u.json');
    const plan = (hash: string) => ({ ...testPlan(), pipelineHash: hash, source: { ...testPlan().source, path: source } as never });
    writeFileSync(source, '[{"email":"a@example.com"}]');
    const first = await submissionKey(plan('h1'));
    expect(await submissionKey({ ...plan('h1'), jobId: 'another-job' })).toBe(first);
    expect(await submissionKey(plan('h2'))).not.toBe(first);
    writeFileSync(source, '[{"email":"b@example.com"}]');
    expect(await submissionKey(plan('h1'))).not.toBe(first);
  });

  it('maps execution statuses to job statuses and reads a job from its visibility record', () => {
    expect(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'].map(jobStatusOf)).toEqual([
      'running',
      'succeeded',
      'failed',
      'cancelled',
      'failed',
      'failed',
    ]);
    const memo = jobMemo(testPlan(), 'k');
    const info = {
      workflowId: 'job-1',
      runId: 'r',
      taskQueue: 'ferry-x',
      status: { name: 'COMPLETED', code: 2 } as never,
      memo: { ...memo },
      startTime: new Date('2026-01-01T00:00:00Z'),
      closeTime: new Date('2026-01-01T00:01:00Z'),
    };
    expect(toJob(info)).toEqual({
      id: 'job-1',
      runId: 'r',
      taskQueue: 'ferry-x',
      status: 'succeeded',
      memo,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:01:00.000Z',
    });
    // Workflows that are not Ferry jobs (no Ferry memo) are left out.
    expect(toJob({ ...info, memo: { other: 1 } })).toBeUndefined();
  });

  it('turns a schedule: field into a Temporal Schedule with overlap SKIP and an explicit catch-up window', () => {
    const settings = { address: 'x', namespace: 'default', taskQueue: 'ferry' };
    const options = scheduleOptions(settings, {
      pipeline: 'nightly-export',
      file: '/p/nightly.yaml',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      catchUp: 'once',
    });
    expect(options).toMatchObject({
      scheduleId: 'ferry:nightly-export',
      spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Paris' },
      action: {
        type: 'startWorkflow',
        workflowType: 'scheduledPipelineWorkflow',
        args: [{ pipelineFile: '/p/nightly.yaml' }],
        taskQueue: 'ferry',
        workflowId: 'ferry:nightly-export',
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      memo: { ferry: true, pipeline: 'nightly-export' },
    });
    expect(scheduleOptions(settings, { pipeline: 'p', file: '/p.yaml', cron: '* * * * *', catchUp: 'skip' }).policies?.catchupWindow).toBe('1 minute');
  });

  it("names a schedule by the project's task queue and the pipeline, apart where both have dashes", () => {
    expect(scheduleId('ferry-acme', 'nightly-export')).toBe('ferry-acme:nightly-export');
    // A `-` between them would give both of each pair one id (ferry-a-b-c).
    expect(scheduleId('ferry-a', 'b-c')).not.toBe(scheduleId('ferry-a-b', 'c'));
    expect(scheduleId('ferry', 'a-b-c')).not.toBe(scheduleId('ferry-a', 'b-c'));
  });
});
