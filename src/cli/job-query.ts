import type { JobPlan } from '../plan/job-plan.js';

/**
 * What `jobs show` says of a job that reads a store: the query its batches run (date math resolved
 * when it was planned), the query as written, and the `{last_success}` it used. Undefined for a
 * file source.
 */
export function jobQuery(plan: JobPlan): { query: string; written?: string; last_success?: string | null } | undefined {
  if (plan.source.type !== 'connection') return undefined;
  const { query, dates } = plan.source;
  if (!dates) return { query };
  return { query, written: dates.written, ...(dates.lastSuccess !== undefined ? { last_success: dates.lastSuccess } : {}) };
}

/** The `jobs show` lines of `jobQuery`. */
export function jobQueryLines(plan: JobPlan): string[] {
  const q = jobQuery(plan);
  if (!q) return [];
  const lines = [`query      ${q.query || '*'}`];
  if (q.written !== undefined) lines.push(`           as written: ${q.written} (dates resolved at ${plan.startedAt}, the job's start)`);
  if (q.last_success !== undefined) lines.push(`           {last_success} = ${q.last_success ?? 'none (no successful job before): open bound, every row'}`);
  return lines;
}
