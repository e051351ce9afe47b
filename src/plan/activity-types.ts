import type { JobPlan } from './job-plan.js';

/**
 * The activities a job is made of. Inputs and outputs are references and counts, never records,
 * so they fit in a Temporal history and a journal row whatever the job's size.
 */
export interface PipelineActivities {
  /** One pass over the source: writes plan.json (with batch boundaries) to the job folder. */
  planJob(input: PlanJobInput): Promise<PlanJobOutput>;
  /** Read → map → validate → write one batch. Idempotent: a repeated batch is not applied twice. */
  runBatch(input: RunBatchInput): Promise<RunBatchOutput>;
  /** Assembles the artifacts (rejects report, export file) and clears per-job bookkeeping. */
  finalizeJob(input: FinalizeJobInput): Promise<FinalizeJobOutput>;
  /** Sends one completion notification. */
  notify(input: NotifyInput): Promise<NotifyOutput>;
}

export interface PlanJobInput {
  plan: JobPlan;
}

export interface PlanJobOutput {
  checksum: string;
  total: number;
  batches: number;
}

export interface RunBatchInput {
  jobDir: string;
  batch: number;
}

export interface BatchCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  exported: number;
}

const countedFields = ['inserted', 'updated', 'unchanged', 'rejected', 'exported'] as const;

/** Adds one batch's (or chunk's) counts to a running total: the job summary, or a batch's own. */
export function addCounts(into: Pick<BatchCounts, (typeof countedFields)[number]>, more: BatchCounts): void {
  for (const field of countedFields) into[field] += more[field];
}

/** The records a job has been through so far, whatever became of each (written, unchanged, rejected, exported). */
export function recordsDone(summary: Pick<BatchCounts, (typeof countedFields)[number]>): number {
  return countedFields.reduce((sum, field) => sum + summary[field], 0);
}

export interface RunBatchOutput extends BatchCounts {
  batch: number;
}

export type JobStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';

export interface FinalizeJobInput {
  jobDir: string;
  batches: number;
  status: FinalStatus;
}

export interface FinalizeJobOutput {
  rejectsFile: string;
  rejects: number;
  output: string | null;
}

export interface JobSummary {
  total: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  exported: number;
  batches: { done: number; total: number };
}

export interface NotifyInput {
  /** The whole plan (a few KB): notify must work even when planning failed before plan.json was written. */
  plan: JobPlan;
  index: number;
  status: FinalStatus;
  summary: JobSummary;
  error: string | null;
  /**
   * `deliveryId` (delivery-id.ts): the same for every send of this notification, a resend after a
   * crash included. Absent only in a notification a workflow of an earlier Ferry scheduled.
   */
  delivery?: string;
}

export interface NotifyOutput {
  index: number;
  ok: boolean;
  detail: string;
}

export type ActivityName = keyof PipelineActivities;

/**
 * The journal key of an activity call. Batches keep their key across runs of a job (a resumed job
 * replays them); finalize and notify belong to one run, since a resumed job finalizes anew.
 */
export function stepKey(name: ActivityName, input: unknown, run: number): string {
  switch (name) {
    case 'planJob':
      return 'planJob';
    case 'runBatch':
      return `runBatch:${(input as RunBatchInput).batch}`;
    case 'finalizeJob':
      return `finalizeJob@${run}`;
    case 'notify':
      return `notify:${(input as NotifyInput).index}@${run}`;
  }
}
