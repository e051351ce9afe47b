import { isAbsolute, relative, resolve } from 'node:path';
import type { JobPlan } from '../../plan/job-plan.js';
import { isInsideFolder } from '../../project/inside-folder.js';

/**
 * A plan as it crosses into Temporal: its paths inside the project folder (the folder of
 * ferry.yaml) made relative to it, so that a worker on another machine, started in its own copy of
 * the project (same ferry.yaml, same relative layout, shared state dir), finds the same files.
 * Workers run in their project folder (worker.ts changes into it), where these paths resolve.
 * Paths outside the project (an absolute state_dir on a shared volume) stay absolute.
 */
export function portablePlan(plan: JobPlan, rootDir: string): JobPlan {
  return withPaths(plan, (path) => projectRelative(path, rootDir));
}

/** `path` relative to `rootDir` when it lies inside it; otherwise as given. */
export function projectRelative(path: string, rootDir: string): string {
  return isAbsolute(path) && isInsideFolder(rootDir, path) ? relative(rootDir, path) : path;
}

/** The inverse of `portablePlan`: a plan read back from Temporal with its paths absolute again. */
export function localPlan(plan: JobPlan, rootDir: string): JobPlan {
  return withPaths(plan, (path) => resolve(rootDir, path));
}

/** The plan with each of its file paths passed through `map`. */
function withPaths(plan: JobPlan, map: (path: string) => string): JobPlan {
  return {
    ...plan,
    pipelineFile: map(plan.pipelineFile),
    jobDir: map(plan.jobDir),
    source: plan.source.type === 'file' ? { ...plan.source, path: map(plan.source.path) } : plan.source,
    target: plan.target.type === 'file' ? { ...plan.target, path: map(plan.target.path) } : plan.target,
    ...(plan.retryOf ? { retryOf: { ...plan.retryOf, rowsFile: map(plan.retryOf.rowsFile) } } : {}),
  };
}
