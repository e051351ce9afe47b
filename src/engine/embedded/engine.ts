import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { recordsDone, type JobSummary, type PipelineActivities } from '../../plan/activity-types.js';
import { emptySummary, type JobOutcome } from '../../plan/orchestrate.js';
import type { ConnectionTables } from '../../plan/write-target.js';
import type { Project } from '../../project/load-config.js';
import { JobRefused, type Engine, type FollowOptions, type JobInfo, type JobListing, type PipelineSchedule, type ScheduleInfo } from '../engine.js';
import { execute, liveness } from './execute.js';
import { effectiveStatus, stoppedHint, stoppedOwner } from './job-status.js';
import { Journal, type JobRecord } from './journal.js';
import { journaledSummary } from './journaled-summary.js';
import { pruneJournal } from './prune.js';
import { prepareResume } from './resume.js';
import { refuseResume } from '../resume-checks.js';
import { storesOf } from '../../project/plan-for.js';
import { missedRun, nextRun, type ScheduleStore } from './scheduler.js';
import { submitJob } from './submit.js';
import { noJobMessage } from '../no-job.js';
import { pausepoint } from '../../failpoints.js';
import { removeAssemblyLeftover } from '../../../activities/export-output.js';

export interface EmbeddedEngineOptions {
  project: Project;
  /** Where relative paths in commands resolve (a resumed job's pipeline is loaded again from here). */
  cwd: string;
  /** The activities, created on the first job this process runs (they open connections lazily). */
  activities: () => PipelineActivities;
  /** How often a running job renews its lease (tests shorten it). */
  heartbeatMs?: number;
  pollMs?: number;
}

/** The embedded engine, plus what `ferry serve` needs of it: where the scheduler keeps its last runs. */
export interface EmbeddedEngine extends Engine {
  readonly name: 'embedded';
  scheduleStore(): ScheduleStore;
}

const POLL_MS = 250;

/**
 * Jobs run in this process under a lease in `<state_dir>/journal.db`: a job this engine submitted or
 * resumed is run by `follow`; a job another process runs is watched through the journal. Reading
 * commands never create the journal: without one there are simply no jobs.
 */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): EmbeddedEngine {
  const { project } = options;
  let journal: Journal | undefined;
  const open = (): Journal => (journal ??= new Journal(project.stateDir));
  const existing = (): Journal | undefined => journal ?? (existsSync(join(project.stateDir, 'journal.db')) ? open() : undefined);
  const found = (id: string): JobRecord => {
    const job = existing()?.getJob(id);
    if (!job) throw new JobRefused(noJobMessage(id, { hint: true }), { usage: true });
    return job;
  };
  /**
   * Jobs this process is to run: submitted or resumed here, not yet followed. A resumed job maps to
   * the fencing token its resume checked it under: it runs only if no cancel or other resume took it since.
   */
  const ours = new Map<string, number | undefined>();
  const pollMs = options.pollMs ?? POLL_MS;

  const engine: EmbeddedEngine = {
    name: 'embedded',
    async submit(plan, submit = {}) {
      const submitted = await submitJob(open(), plan, { forceNew: submit.forceNew ?? false, ...(submit.log ? { log: submit.log } : {}) });
      if (!submitted.existing) ours.set(submitted.jobId, undefined);
      return submitted;
    },
    async follow(id, follow = {}) {
      if (!ours.has(id)) return watch(open(), id, follow, pollMs);
      const checked = ours.get(id);
      ours.delete(id);
      // For the tests of a cancel landing between the submission (or the resume's checks) and the claim.
      await pausepoint(checked === undefined ? 'run-before-claim' : 'resume-before-claim');
      const job = found(id);
      return execute(job, {
        ...(checked !== undefined ? { checkedLease: checked } : {}),
        journal: open(),
        activities: options.activities(),
        progress: ({ summary }) => follow.progress?.({ status: 'running', summary }),
        cancelled: () => follow.interrupted?.() ?? false,
        ...(follow.log ? { log: follow.log } : {}),
        connections: project.config.connections satisfies ConnectionTables,
        mask: (text) => project.masker.mask(text),
        ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
      });
    },
    async get(id) {
      const journal = existing();
      const job = journal?.getJob(id);
      return job && journal && infoOf(job, journal);
    },
    async list({ limit, pipeline, damaged }) {
      const journal = existing();
      if (!journal) return [];
      return journal
        .listJobs(pipeline ? Math.max(limit * 4, 200) : limit, (job) => damaged?.(job.message))
        .filter((j) => !pipeline || j.pipeline === pipeline)
        .slice(0, limit)
        .map((j) => listingOf(j, journal));
    },
    async cancel(id, cancelOptions) {
      const job = found(id);
      // An interrupted job is marked cancelled in one transaction with the check that no process holds
      // it: marked from a look taken before, it raced a resume taking the job, which then ran on under
      // a "cancelled" record, or wrote its own end over the cancel.
      // Its counts as its journaled batches prove them: the saved ones lag behind (journaled-summary.ts).
      const counts = effectiveStatus(job) === 'interrupted' ? provenCounts(open(), id) : undefined;
      const ended = open().cancelUnheld(id, liveness(), counts);
      if (ended === undefined) throw new JobRefused(noJobMessage(id));
      if (ended === 'marked') {
        // No finalize runs for it: what a killed assembly of its export left goes here.
        removeAssemblyLeftover(job.plan);
        return 'cancelled';
      }
      if (ended !== 'held') throw new JobRefused(`job ${id} already ended (${ended})`);
      open().requestCancel(id);
      // A stopped holder would never act on the request: say so rather than wait for ever (checked on every poll, as it may be stopped later).
      const refuseIfStopped = (now: JobRecord): void => {
        const pid = stoppedOwner(now);
        if (pid === undefined) return;
        throw new JobRefused(
          `cancel requested, but job ${id} is held by process ${pid}, which is stopped (SIGSTOP or Ctrl-Z): the job stops before its next batch once it runs again. ${capitalized(stoppedHint(pid))}`,
        );
      };
      refuseIfStopped(job);
      // The job sees the request before its next batch; one that is finishing (sending its
      // notifications) ends as it would have, and this waits for it.
      cancelOptions?.log?.(`cancel requested: job ${id} stops before its next batch; waiting for it to end…`);
      const outcome = await untilEnded(open(), id, refuseIfStopped, pollMs);
      if (effectiveStatus(found(id)) !== 'interrupted') return outcome.status;
      // Its process died before it stopped (it said "failed", the job left interrupted): marked cancelled, as any interrupted job.
      const marked = open().cancelUnheld(id, liveness(), provenCounts(open(), id));
      if (marked === 'marked') return 'cancelled';
      if (marked === 'held') throw new JobRefused(`job ${id}'s process ended before it stopped, and another process has resumed it since: cancel it again`);
      return marked ?? outcome.status;
    },
    async resume(id) {
      await refuseResume(engine, id, (names) => storesOf(project, names), { project, cwd: options.cwd });
      const job = prepareResume(open(), id);
      ours.set(id, job.lease);
      return { note: `run ${job.run}` };
    },
    async lastSuccess(pipeline) {
      return existing()?.lastSuccess(pipeline) ?? null;
    },
    async prune(prune) {
      const journal = existing();
      return journal ? pruneJournal(journal, project.stateDir, prune) : { pruned: [], kept: [] };
    },
    // `ferry serve` reads the pipelines' schedules when it starts: nothing is stored ahead of it.
    async applySchedules() {
      return { created: [], updated: [], replaced: [], deleted: [] };
    },
    async listSchedules(schedules) {
      return schedules.map((s) => scheduleInfo(s, existing()));
    },
    scheduleStore: open,
    async close() {
      journal?.close();
      journal = undefined;
    },
  };
  return engine;
}

/**
 * Watches a job another process runs until it ends (or its process dies: interrupted, reported as
 * failed). Ctrl-C asks that process, through the journal, to stop after its batches in flight.
 */
async function watch(journal: Journal, id: string, follow: FollowOptions, pollMs: number): Promise<JobOutcome> {
  let asked = false;
  let stoppedSaid: number | undefined;
  return untilEnded(
    journal,
    id,
    (now) => {
      if (now.summary) follow.progress?.({ status: effectiveStatus(now), summary: now.summary });
      // A stopped holder makes no progress for as long as it stays stopped: say so, or this looks like a hang.
      const stopped = stoppedOwner(now);
      if (stopped !== undefined && stopped !== stoppedSaid)
        follow.log?.(`job ${id} is held by process ${stopped}, which is stopped (SIGSTOP or Ctrl-Z): it goes on once continued (kill -CONT ${stopped})`);
      stoppedSaid = stopped;
      if (follow.interrupted?.() && !asked) {
        asked = true;
        journal.requestCancel(id);
      }
    },
    pollMs,
  );
}

async function untilEnded(journal: Journal, id: string, onPoll: (job: JobRecord) => void, pollMs: number): Promise<JobOutcome> {
  for (;;) {
    const job = journal.getJob(id);
    if (!job) throw new JobRefused(noJobMessage(id));
    const status = effectiveStatus(job);
    if (status !== 'running' && status !== 'pending') return outcomeOf(job);
    onPoll(job);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A finished job's record as an outcome; an interrupted one (its process died) counts as failed. */
function outcomeOf(job: JobRecord): JobOutcome {
  const { status, summary, artifacts, notifications } = job;
  const base = { summary: summary ?? emptySummary(), artifacts, notifications, ...(job.failure && { failure: job.failure }) };
  if (status === 'succeeded' || status === 'failed' || status === 'cancelled') return { ...base, status, error: job.error };
  return { ...base, status: 'failed', error: job.error ?? `interrupted: its process is gone (ferry jobs resume ${job.id} continues it)` };
}

function listingOf(job: JobRecord, journal: Journal): JobListing {
  const stopped = stoppedOwner(job);
  const status = effectiveStatus(job);
  const resumed = resumedRun(job, status, journal);
  return {
    id: job.id,
    pipeline: job.pipeline,
    engine: 'embedded',
    kind: job.plan.kind,
    status,
    startedAt: job.plan.startedAt,
    endedAt: job.endedAt,
    // The process died between two saves of the counts: its journaled batches are what it did.
    summary: status === 'interrupted' ? (journaledSummary(journal, job.id) ?? job.summary) : job.summary,
    jobDir: job.plan.jobDir,
    ...(job.plan.sample !== undefined ? { sample: job.plan.sample } : {}),
    artifacts: job.artifacts,
    ...(stopped !== undefined ? { stoppedProcess: stopped } : {}),
    ...(resumed ? { resumedRun: resumed } : {}),
  };
}

/** A live job past its first run: when this run took it, and the records its batches from earlier runs hold. */
function resumedRun(job: JobRecord, status: JobListing['status'], journal: Journal): JobListing['resumedRun'] {
  if (job.run < 2 || job.runStartedAt === null || (status !== 'running' && status !== 'pending')) return undefined;
  const before = journaledSummary(journal, job.id, job.runStartedAt);
  return { startedAt: job.runStartedAt, carried: before ? recordsDone(before) : 0 };
}

/** `journaledSummary`, or undefined where a damaged step keeps it from being told (the saved counts stay). */
function provenCounts(journal: Journal, id: string): JobSummary | undefined {
  try {
    return journaledSummary(journal, id);
  } catch (err) {
    if (err instanceof JobRefused) return undefined;
    throw err;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function infoOf(job: JobRecord, journal: Journal): JobInfo {
  const status = effectiveStatus(job);
  const live = status === 'running' || status === 'pending';
  return {
    ...listingOf(job, journal),
    plan: job.plan,
    error: job.error,
    ...(job.failure && { failure: job.failure }),
    notifications: job.notifications,
    waiting: null,
    detail: live && job.ownerPid !== null ? `run ${job.run}, process ${job.ownerPid}` : `run ${job.run}`,
  };
}

function scheduleInfo(s: PipelineSchedule, journal: Journal | undefined): ScheduleInfo {
  const now = new Date();
  const last = journal?.lastScheduledRun(s.pipeline);
  const missed = missedRun(s, last, now);
  return {
    id: null,
    pipeline: s.pipeline,
    cron: s.cron,
    timezone: s.timezone ?? null,
    nextRun: missed ? 'on start (missed run)' : (nextRun(s, now)?.toISOString() ?? null),
    catchUp: s.catchUp,
    lastRun: last?.lastRunAt ?? null,
    lastJob: last?.lastJob ?? null,
    paused: false,
  };
}
