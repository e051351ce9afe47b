import type { JobPlan } from './job-plan.js';

/**
 * Fields that differ between runs without changing what the job does; `stores` (ferry.yaml's) is
 * checked on its own (engine/resume-checks.ts); `project` is the Temporal submitter's identity,
 * which only the submit sets and the worker checks (activities/project-check.ts).
 */
const ignored = new Set(['pipelineHash', 'notify', 'stores', 'project']);

/**
 * What changed between the plan a job started with and the plan its pipeline file gives now, as
 * `path: before → after` lines. Empty when resuming would run the same job.
 */
export function diffPlans(before: JobPlan, after: JobPlan): string[] {
  const out: string[] = [];
  walk(before, after, '', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (path && ignored.has(path)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => walk(item, b[i], `${path}[${i}]`, out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${show(a)} → ${show(b)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}
