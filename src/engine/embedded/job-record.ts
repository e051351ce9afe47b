import type { FinalizeJobOutput, JobStatus, JobSummary, NotifyOutput } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import type { JobFailure } from '../../plan/orchestrate.js';
import { shownJobId } from '../no-job.js';
import type { OwnerState } from './process-owner.js';

/** A job as the journal keeps it. */
export interface JobRecord {
  id: string;
  pipeline: string;
  engine: 'embedded';
  status: JobStatus;
  run: number;
  plan: JobPlan;
  summary: JobSummary | null;
  error: string | null;
  /** As JSON text; null when no step's error failed the job, or it ended before this column (nothing known). */
  failure: JobFailure | null;
  artifacts: FinalizeJobOutput | null;
  notifications: NotifyOutput[];
  createdAt: string;
  endedAt: string | null;
  ownerPid: number | null;
  /** The owner's start time (process-owner.ts): with the pid, who holds the job, even if the pid is reused. */
  ownerStart: string | null;
  heartbeatAt: string | null;
  /** The fencing token: raised by every claim; a holder whose token is stale may record nothing more. */
  lease: number;
  cancelRequested: boolean;
  sourceChecksum: string | null;
  /** `submissionKey` (submission.ts); null until known (a forced run, a job journaled before keys). */
  submissionKey: string | null;
  /** The `connection/table` the job writes, set when it passes the target gate (`acquireTarget`). */
  target: string | null;
  /** `batch.exclusive: false`: other non-exclusive jobs may write the target at the same time. */
  targetShared: boolean;
  /** When the current run took the job (`claim`): a resumed job's rate is counted from here, not from its first start. */
  runStartedAt: string | null;
}

/**
 * How to tell a live job: its owner process exists (not a zombie, not another process under the same
 * pid), stopped or not; where that cannot be told (no /proc), its heartbeat is younger than `staleMs`.
 */
export interface Liveness {
  now: Date;
  staleMs: number;
  state: (pid: number, start: string | null) => OwnerState;
}

/** A job's holder found its lease taken by another process: it must stop without recording anything. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** The fields of a job its runs change (`Journal.update`). */
export type JobPatch = Partial<
  Pick<JobRecord, 'status' | 'summary' | 'error' | 'failure' | 'artifacts' | 'notifications' | 'endedAt' | 'run' | 'sourceChecksum'>
>;

/** A job's row as SQLite returns it. */
export type Row = Record<string, unknown>;

/** The columns a patch sets, as the jobs table stores them (objects as JSON text). */
export function patchColumns(patch: JobPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (patch.status !== undefined) columns['status'] = patch.status;
  if (patch.summary !== undefined) columns['summary'] = JSON.stringify(patch.summary);
  if (patch.error !== undefined) columns['error'] = patch.error;
  if (patch.failure !== undefined) columns['failure'] = patch.failure === null ? null : JSON.stringify(patch.failure);
  if (patch.artifacts !== undefined) columns['artifacts'] = JSON.stringify(patch.artifacts);
  if (patch.notifications !== undefined) columns['notifications'] = JSON.stringify(patch.notifications);
  if (patch.endedAt !== undefined) columns['ended_at'] = patch.endedAt;
  if (patch.run !== undefined) columns['run'] = patch.run;
  if (patch.sourceChecksum !== undefined) columns['source_checksum'] = patch.sourceChecksum;
  return columns;
}

/**
 * Whether a job's owner still holds it (the lease of `Journal.claim`): its process exists, even
 * stopped, however long since its last heartbeat (a busy machine can starve its timer); only where
 * that cannot be told does the heartbeat's age decide.
 */
export function isLiveOwner(job: Pick<JobRecord, 'ownerPid' | 'ownerStart' | 'heartbeatAt'>, live: Liveness): boolean {
  if (job.ownerPid === null) return false;
  const state = live.state(job.ownerPid, job.ownerStart);
  if (state !== 'unknown') return state !== 'dead';
  return job.heartbeatAt !== null && live.now.getTime() - Date.parse(job.heartbeatAt) < live.staleMs;
}

/**
 * A job's row whose JSON columns cannot be read (a damaged journal page, a hand edit): said with the
 * job and the column, where a bare "Unterminated string in JSON" named neither.
 */
export class DamagedRecord extends Error {
  override readonly name = 'DamagedRecord';
  constructor(
    readonly id: string,
    readonly why: string,
    /** Written by a newer Ferry, not damaged: that Ferry reads it. */
    readonly newer = false,
  ) {
    super(`the journal's record of job ${shownJobId(id)} ${newer ? 'cannot be read' : 'is damaged'}: ${why}`);
  }

  /** The message with the journal file named and what to do. */
  inJournal(file: string): string {
    const todo = this.newer ? 'Use the Ferry that wrote it' : "Restore the journal from a backup, or delete that job's row from its jobs table";
    return `the journal ${file} holds a record of job ${shownJobId(this.id)} this Ferry cannot read: ${this.why}. ${todo}`;
  }
}

const STATUSES: readonly JobStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];

/** The columns an object is kept in, as JSON text, and whether it may be null. */
const OBJECT_COLUMNS = { plan: false, summary: true, artifacts: true, failure: true } as const;

export function toRecord(row: Row): JobRecord {
  const id = String(row['id']);
  const json = <T>(column: string, fallback: T): T => {
    const v = row[column];
    if (typeof v !== 'string') return fallback;
    let value: unknown;
    try {
      value = JSON.parse(v);
    } catch (err) {
      throw new DamagedRecord(id, `its ${column} is not JSON (${(err as Error).message})`);
    }
    const shape = (OBJECT_COLUMNS as Record<string, boolean>)[column];
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (shape !== undefined && !isObject && !(shape && value === null)) throw new DamagedRecord(id, `its ${column} is not an object`);
    if (column === 'notifications' && !Array.isArray(value)) throw new DamagedRecord(id, `its ${column} is not a list`);
    return value as T;
  };
  if (typeof row['plan'] !== 'string') throw new DamagedRecord(id, 'it has no plan');
  const plan = json<JobPlan>('plan', undefined as unknown as JobPlan);
  const missing = missingPlanField(plan);
  if (missing !== undefined) throw new DamagedRecord(id, `its plan has no ${missing}`);
  // A status of a newer Ferry: guessing what it allows (a resume, a prune) could touch a job still running.
  if (!(STATUSES as readonly unknown[]).includes(row['status'])) {
    throw new DamagedRecord(id, `its status ${JSON.stringify(shownJobId(String(row['status'])))} is not one this Ferry knows (a newer Ferry's?)`, true);
  }
  return {
    id: row['id'] as string,
    pipeline: row['pipeline'] as string,
    engine: 'embedded',
    status: row['status'] as JobStatus,
    run: row['run'] as number,
    plan,
    summary: json<JobSummary | null>('summary', null),
    error: (row['error'] as string | null) ?? null,
    failure: json<JobFailure | null>('failure', null),
    artifacts: json<FinalizeJobOutput | null>('artifacts', null),
    notifications: json<NotifyOutput[]>('notifications', []),
    createdAt: row['created_at'] as string,
    endedAt: (row['ended_at'] as string | null) ?? null,
    ownerPid: (row['owner_pid'] as number | null) ?? null,
    ownerStart: (row['owner_start'] as string | null) ?? null,
    lease: (row['lease'] as number | null) ?? 0,
    heartbeatAt: (row['heartbeat_at'] as string | null) ?? null,
    cancelRequested: row['cancel_requested'] === 1,
    sourceChecksum: (row['source_checksum'] as string | null) ?? null,
    submissionKey: (row['submission_key'] as string | null) ?? null,
    target: (row['target'] as string | null) ?? null,
    targetShared: row['target_shared'] === 1,
    runStartedAt: (row['run_started_at'] as string | null) ?? null,
  };
}

/**
 * The first field every command reads of a plan that it lacks (each Ferry has written them all):
 * one missing failed `jobs list` and `prune` for every job with "Cannot read properties of undefined".
 */
function missingPlanField(plan: JobPlan): string | undefined {
  const text = (value: unknown): boolean => typeof value === 'string';
  const typed = (value: unknown): boolean => typeof value === 'object' && value !== null && text((value as { type?: unknown }).type);
  const checks: [string, boolean][] = [
    ['jobDir', text(plan.jobDir)],
    ['startedAt', text(plan.startedAt)],
    ['pipelineFile', text(plan.pipelineFile)],
    ['source', typed(plan.source)],
    ['target', typed(plan.target)],
  ];
  return checks.find(([, ok]) => !ok)?.[0];
}
