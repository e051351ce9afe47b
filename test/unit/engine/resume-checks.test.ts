import { describe, expect, it } from 'vitest';
import type { Engine, JobInfo } from '../../../src/engine/engine.js';
import { refuseResume } from '../../../src/engine/resume-checks.js';
import { buildJobPlan, type JobPlan } from '../../../src/plan/job-plan.js';
import { buildRollbackPlan } from '../../../src/plan/rollback-plan.js';

/**
 * The refusals both engines ask before a resume (engine/resume-checks.ts), over a list of jobs as an
 * engine gives them: a moved connection (for a rollback too: its plan keeps the stores of the job it
 * undoes), and a job a rollback undid.
 */

const here = { users: 'sqlite first.db table users' };
const moved = { users: 'sqlite second.db table users' };

function importPlan(stores?: Record<string, string>): JobPlan {
  const plan = buildJobPlan({ source: { file: 'u.json' }, target: { connection: 'users', key: 'email', upsert: false, metadata: 'merge' } } as never, {
    jobId: 'imp-1',
    pipeline: 'imp',
    pipelineFile: 'imp.yaml',
    pipelineHash: 'h',
    startedAt: '2026-01-01T00:00:00.000Z',
    jobDir: 'jobs/imp-1',
    sourcePath: 'u.json',
    sourceFormat: 'json',
  });
  return stores ? { ...plan, stores } : plan;
}

function info(plan: JobPlan, status: JobInfo['status']): JobInfo {
  return {
    id: plan.jobId,
    pipeline: plan.pipeline,
    engine: 'embedded',
    kind: plan.kind,
    status,
    startedAt: plan.startedAt,
    endedAt: null,
    summary: null,
    jobDir: plan.jobDir,
    artifacts: null,
    plan,
    error: null,
    notifications: [],
    waiting: null,
    detail: null,
  };
}

function engineOf(...jobs: JobInfo[]): Pick<Engine, 'get' | 'list'> {
  return { get: async (id) => jobs.find((j) => j.id === id), list: async () => jobs };
}

describe('refuseResume', () => {
  it('refuses a job whose connection moved, and lets it go where it still points', async () => {
    const job = info(importPlan(here), 'failed');
    await expect(refuseResume(engineOf(job), 'imp-1', () => moved)).rejects.toThrow(
      'refusing to resume job imp-1: ferry.yaml changed where its connections point since it started, so its rows would land in two stores:\n  connection users: was sqlite first.db table users, now sqlite second.db table users\n',
    );
    await expect(refuseResume(engineOf(job), 'imp-1', () => here)).resolves.toBeUndefined();
  });

  it('checks a rollback too: its plan keeps the stores of the job it undoes', async () => {
    const rollbackPlan = buildRollbackPlan(importPlan(here), {
      jobId: 'imp-rollback-1',
      startedAt: '2026-01-02T00:00:00.000Z',
      jobDir: 'jobs/rb',
      backupFile: 'jobs/imp-1/backup.ndjson',
      force: false,
    });
    expect(rollbackPlan.stores).toEqual(here);
    const rollback = info(rollbackPlan, 'interrupted');
    await expect(refuseResume(engineOf(rollback), 'imp-rollback-1', () => moved)).rejects.toThrow(/refusing to resume job imp-rollback-1: ferry.yaml changed/);
    await expect(refuseResume(engineOf(rollback), 'imp-rollback-1', () => here)).resolves.toBeUndefined();
  });

  it('refuses a job a rollback undid, and says to finish a rollback that failed first', async () => {
    const job = info(importPlan(here), 'cancelled');
    const rollback = info(
      buildRollbackPlan(job.plan, { jobId: 'imp-rollback-1', startedAt: '2026-01-02T00:00:00.000Z', jobDir: 'jobs/rb', backupFile: 'b', force: false }),
      'failed',
    );
    await expect(refuseResume(engineOf(rollback, job), 'imp-1', () => here)).rejects.toThrow(
      'refusing to resume job imp-1: job imp-rollback-1 rolled it back (failed), and a resume would not redo the batches the rollback undid; finish the rollback first (ferry jobs resume imp-rollback-1), then run its pipeline as a new job',
    );
  });

  it('leaves a plan from before stores were kept, and a running job, to the engine', async () => {
    await expect(refuseResume(engineOf(info(importPlan(), 'failed')), 'imp-1', () => moved)).resolves.toBeUndefined();
    await expect(refuseResume(engineOf(info(importPlan(here), 'running')), 'imp-1', () => moved)).resolves.toBeUndefined();
  });
});
