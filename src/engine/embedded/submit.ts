import type { JobPlan } from '../../plan/job-plan.js';
import { liveness } from './execute.js';
import { effectiveStatus } from './job-status.js';
import type { JobRecord, Journal } from './journal.js';
import { cheapSubmissionKey, submissionKey } from '../submission.js';
import { noJobMessage } from '../no-job.js';

export interface SubmitOptions {
  /** `--force-new`: start a job even when one is running this submission. */
  forceNew?: boolean;
  /** Told once when a running job of the same pipeline has not read its source yet. */
  log?: (line: string) => void;
  pollMs?: number;
}

export interface Submitted {
  jobId: string;
  /** True when a running job of the same submission was returned instead of creating one. */
  existing: boolean;
}

const POLL_MS = 250;

/**
 * One job per submission on the embedded engine: creates the plan's job (pending, leased to this
 * process) unless a live job runs the same pipeline text over the same source (submission.ts),
 * which is returned instead. The check and the insert are one journal transaction, so two
 * simultaneous submissions never both start. A file source is hashed (a full read) only when a
 * live job of the same pipeline text exists; a job that started without a key gets one from its
 * plan step's checksum, so meanwhile a resubmission waits for it (`key-pending`).
 */
export async function submitJob(journal: Journal, plan: JobPlan, options: SubmitOptions = {}): Promise<Submitted> {
  let key = cheapSubmissionKey(plan);
  if (options.forceNew) {
    journal.createJob(plan, 'pending', new Date().toISOString(), { ownerPid: process.pid, submissionKey: key ?? null });
    return { jobId: plan.jobId, existing: false };
  }
  let told = false;
  for (;;) {
    const found = journal.submit(plan, key, process.pid, liveness());
    if (found.kind === 'created') return { jobId: plan.jobId, existing: false };
    if (found.kind === 'existing') return { jobId: found.job.id, existing: true };
    if (found.kind === 'need-key') {
      key = await submissionKey(plan);
      continue;
    }
    if (!told) options.log?.(`job ${found.job.id} of the same pipeline has not read its source yet; waiting to tell whether it runs this submission`);
    told = true;
    await sleep(options.pollMs ?? POLL_MS);
  }
}

/** Polls the journal until the job ends, or its owner dies (interrupted); returns its record then. */
export async function untilEnded(journal: Journal, id: string, pollMs = POLL_MS): Promise<JobRecord> {
  for (;;) {
    const job = journal.getJob(id);
    if (!job) throw new Error(noJobMessage(id));
    const status = effectiveStatus(job);
    if (status !== 'running' && status !== 'pending') return job;
    await sleep(pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
