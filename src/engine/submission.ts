import { createHash } from 'node:crypto';
import { readWindows } from '../sources/byte-batches.js';
import type { JobPlan } from '../plan/job-plan.js';

/**
 * The same pipeline text over the same source bytes (file sources) or the same query (connection
 * sources), with the same run options (`--sample`, …): a running job with this key is the same
 * submission. Both engines use it: the embedded journal's `submission_key`, the Temporal job memo.
 */
export async function submissionKey(plan: JobPlan): Promise<string> {
  if (plan.source.type === 'file') return fileSubmissionKey(plan, await sha256File(plan.source.path));
  return keyOf(plan, null);
}

/** A connection source's key, computed without I/O (the query, not the rows); undefined for a file source. */
export function cheapSubmissionKey(plan: JobPlan): string | undefined {
  return plan.source.type === 'file' ? undefined : keyOf(plan, null);
}

/**
 * A file source's key from the sha256 of its bytes: what `submissionKey` computes, for a caller that
 * already has the checksum (the plan step reads the whole file anyway and returns it).
 */
export function fileSubmissionKey(plan: JobPlan, sourceSha256: string): string {
  return keyOf(plan, sourceSha256);
}

/** The sha256 of a file, read through one buffer (sources may be larger than memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await readWindows(path, (window) => {
    hash.update(window);
    return window.length;
  });
  return hash.digest('hex');
}

/**
 * The plan without the job's identity and time: the pipeline text's hash, what it resolved to, and
 * the run's options. Run options are in it because the pipeline hash cannot tell them apart.
 */
function keyOf(plan: JobPlan, sourceSha256: string | null): string {
  const { jobId: _jobId, startedAt: _startedAt, jobDir: _jobDir, ...work } = plan;
  // A file target's path may hold {job} and {date}: the same work under another name.
  const target = plan.target.type === 'file' ? { ...plan.target, path: null } : plan.target;
  // Date math resolves against the job's start: the same query as written is the same work.
  const source = plan.source.type === 'connection' && plan.source.dates ? { ...plan.source, query: plan.source.dates.written } : plan.source;
  return createHash('sha256')
    .update(JSON.stringify({ ...work, source, target, sourceSha256 }))
    .digest('hex');
}
