import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { JobPlan } from '../../plan/job-plan.js';
import type { ConnectionTables } from '../../plan/write-target.js';
import type { Engine, JobInfo, JobListing } from '../engine.js';
import { createServerCalls, withRequestsAtOnce } from './calls.js';
import { connectClient } from './client.js';
import { untilCancelled } from './cancel-wait.js';
import { cancelJob, resumeJob } from './control.js';
import { untilEnded } from './follow.js';
import { refuseResume, type PipelineNow, type StoresNow } from '../resume-checks.js';
import { listOwnSchedules } from './own-schedules.js';
import { localPlan, projectRelative } from './portable-plan.js';
import type { ProjectIdentity } from './project-identity.js';
import { pruneFolders } from './prune.js';
import { describeJob, summaryOf, type TemporalJobDetails } from './results.js';
import { applySchedules } from './schedules.js';
import { withoutHeartbeatTimeout, type TemporalSettings } from './settings.js';
import { startRunAgain, submitJob } from './submit.js';
import { hasPipelineAttribute, lastSuccess, listJobs, planOf, refuseOtherQueue, type TemporalJob } from './visibility.js';

export interface TemporalEngineOptions {
  settings: TemporalSettings;
  /** ferry.yaml's connections: which table a job writes, for taking it again on resume. */
  connections: ConnectionTables;
  /** ferry.yaml's connections as a job's plan keeps them (`JobPlan.stores`): a resume refuses when one moved. */
  storesNow: StoresNow;
  /** Which project submits: a worker of another project on the same task queue refuses its jobs (project-identity.ts). */
  project: ProjectIdentity;
  /** The project now: a resume refuses a job whose pipeline or source file changed since it started. */
  pipelineNow: Omit<PipelineNow, 'asRun'>;
  /** The project folder: plans cross into Temporal with paths relative to it (portable-plan.ts). */
  rootDir: string;
  /** ferry.yaml's state_dir: where the jobs' folders are (`prune`). */
  stateDir: string;
  /** How often `follow` asks the workflow for its progress. */
  pollMs?: number;
}

const POLL_MS = 1000;

/**
 * Jobs as workflows on a Temporal server (workflow id = job id), run by `ferry worker` processes.
 * One client connection for the engine's life, opened on first use.
 */
export function createTemporalEngine(options: TemporalEngineOptions): Engine {
  const { settings } = options;
  const calls = createServerCalls();
  let connecting: Promise<Client> | undefined;
  /** One counted call on the client: `close` waits for it (calls.ts says why). */
  const use = <T>(fn: (client: Client, signal: AbortSignal) => Promise<T>): Promise<T> =>
    calls.run(async (signal) => {
      const c = await (connecting ??= connectClient(settings, calls.retrying));
      return c.withAbortSignal(signal, () => fn(c, signal));
    });
  const pollMs = options.pollMs ?? POLL_MS;

  const engine: Engine = {
    name: 'temporal',
    submit(plan, submit = {}) {
      return use((c) => submitJob(c, settings, plan, { forceNew: submit.forceNew ?? false, rootDir: options.rootDir, project: options.project }));
    },
    follow(id, follow = {}) {
      return use((c, signal) => untilEnded(c, id, follow, { settings, pollMs }, signal));
    },
    get(id) {
      return use(async (c) => {
        const job = await describeJob(c, id);
        if (!job) return undefined;
        refuseOtherQueue(job, settings.taskQueue);
        const plan = await planOf(c, id, job.runId);
        if (!plan) throw new Error(`workflow ${id} has no job plan in its history`);
        return infoOf({ ...job, memo: { ...job.memo, jobDir: resolve(options.rootDir, job.memo.jobDir) } }, localPlan(plan, options.rootDir), options.rootDir);
      });
    },
    list({ limit, pipeline }) {
      return use(async (c, signal) => {
        // This project's jobs: other projects of the namespace have task queues of their own.
        const jobs = await listJobs(c, { limit, indexed: await hasPipelineAttribute(c), taskQueue: settings.taskQueue, ...(pipeline ? { pipeline } : {}) });
        // Visibility holds no counts: each job's come from its result or its progress query, all at once.
        const summaries = await withRequestsAtOnce(c, signal, () => Promise.all(jobs.map((job) => summaryOf(c, job))));
        return jobs.map((job, i) => listingOf({ ...job, memo: { ...job.memo, jobDir: resolve(options.rootDir, job.memo.jobDir) } }, summaries[i] ?? null));
      });
    },
    cancel(id, cancel = {}) {
      return use(async (c, signal) => {
        await cancelJob(c, id, settings.taskQueue);
        cancel.log?.(`cancel requested; job ${id} stops after its batches in flight…`);
        return untilCancelled(c, id, { settings, pollMs }, { signal, log: cancel.log });
      });
    },
    async resume(id, resume = {}) {
      // The job's plan came back from its history with the heartbeat timeout its client added
      // (submit.ts); ferry.yaml's may have changed since, which changes nothing the job writes.
      const asPlanned: Pick<Engine, 'get' | 'list'> = {
        get: async (jobId) => {
          const job = await engine.get(jobId);
          return job && { ...job, plan: withoutHeartbeatTimeout(job.plan) };
        },
        list: (list) => engine.list(list),
      };
      await refuseResume(asPlanned, id, options.storesNow, { ...options.pipelineNow, asRun: withoutHeartbeatTimeout });
      return use(async (c, signal) => {
        const resumed = await resumeJob(c, id, {
          taskQueue: settings.taskQueue,
          signal,
          connections: options.connections,
          restart: async (plan) => {
            // As `submit` started it, with today's digests of its files and heartbeat timeout.
            const { project: _submitted, ...local } = withoutHeartbeatTimeout(localPlan(plan, options.rootDir));
            await submitJob(c, settings, local, { forceNew: true, rootDir: options.rootDir, project: options.project });
            return (await c.workflow.getHandle(id).describe()).runId;
          },
          startRun: (args) => startRunAgain(c, settings, id, args),
          ...(resume.log ? { log: resume.log } : {}),
          ...(resume.cancelled ? { cancelled: resume.cancelled } : {}),
        });
        if ('nextBatch' in resumed)
          return { note: `cancelled after its batches in flight finished: goes on at batch ${resumed.nextBatch}; new run ${resumed.runId}` };
        if ('replanned' in resumed) return { note: `its planning had not finished: planned again from the source as it is now; new run ${resumed.runId}` };
        return { note: `reset to event ${resumed.point.eventId} (${resumed.point.reason}); new run ${resumed.runId}` };
      });
    },
    lastSuccess(pipeline) {
      return use(async (c) => lastSuccess(c, pipeline, await hasPipelineAttribute(c), settings.taskQueue));
    },
    prune(prune) {
      return use((c) => pruneFolders(c, options.rootDir, options.stateDir, prune));
    },
    applySchedules(schedules) {
      // Workers read the pipeline again at each run, in their own copy of the project.
      return use((c) =>
        applySchedules(
          c,
          settings,
          schedules.map((s) => ({ ...s, file: projectRelative(s.file, options.rootDir) })),
        ),
      );
    },
    listSchedules(schedules) {
      // This project's: other projects of the namespace start theirs on task queues of their own.
      return use(async (c) =>
        (await listOwnSchedules(c, settings.taskQueue)).map((s) => {
          const file = schedules.find((p) => p.pipeline === s.pipeline);
          return {
            id: s.id,
            pipeline: s.pipeline,
            cron: file?.cron ?? s.cron,
            timezone: file?.timezone ?? null,
            nextRun: s.nextRuns[0] ?? null,
            catchUp: file?.catchUp ?? 'once',
            lastRun: s.lastRun,
            lastJob: s.lastJob,
            paused: s.paused,
          };
        }),
      );
    },
    async close() {
      // No call may be left to retry once the connection is closed (calls.ts).
      await calls.drain();
      const c = await connecting?.catch(() => undefined);
      await c?.connection.close();
    },
  };
  return engine;
}

function listingOf(job: TemporalJob, summary: JobListing['summary'], artifacts: JobListing['artifacts'] = null): JobListing {
  const { memo } = job;
  return {
    id: job.id,
    pipeline: memo.pipeline,
    engine: 'temporal',
    kind: memo.kind,
    status: job.status,
    startedAt: memo.startedAt,
    endedAt: job.endedAt,
    summary,
    jobDir: memo.jobDir,
    ...(memo.sample !== undefined ? { sample: memo.sample } : {}),
    artifacts,
  };
}

function infoOf(job: TemporalJobDetails, plan: JobPlan, rootDir: string): JobInfo {
  const seen = job.outcome ?? job.progress;
  return {
    ...listingOf(job, seen?.summary ?? null, localArtifacts(job.outcome?.artifacts ?? job.progress?.artifacts ?? null, rootDir)),
    plan,
    error: job.outcome?.error ?? job.progress?.error ?? null,
    ...(job.outcome?.failure && { failure: job.outcome.failure }),
    notifications: job.outcome?.notifications ?? [],
    // A step being retried is what a running job waits on meanwhile.
    waiting: job.progress?.waiting ?? job.retrying ?? null,
    detail: `Temporal run ${job.runId}${job.status === 'running' && !job.progress ? '; no worker answered the progress query' : ''}`,
  };
}

/** Workers write artifacts in their project folder, so their paths come back relative to it. */
function localArtifacts(artifacts: JobInfo['artifacts'], rootDir: string): JobInfo['artifacts'] {
  if (!artifacts) return null;
  return { ...artifacts, rejectsFile: resolve(rootDir, artifacts.rejectsFile), output: artifacts.output === null ? null : resolve(rootDir, artifacts.output) };
}
