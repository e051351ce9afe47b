import type { JobPlan } from '../src/plan/job-plan.js';

/**
 * The plan is validated at both ends (STYLE.md rule 2): the CLI built it, and here the workflow
 * checks what it received before scheduling anything. Returns the problems, empty when usable.
 */
export function planProblems(plan: unknown): string[] {
  if (typeof plan !== 'object' || plan === null) return ['the plan is not an object'];
  const p = plan as Partial<JobPlan>;
  const problems: string[] = [];
  if (p.version !== 1) problems.push(`unsupported plan version ${String(p.version)}`);
  for (const key of ['jobId', 'pipeline', 'jobDir', 'pipelineHash'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') problems.push(`${key} must be a non-empty string`);
  }
  if (!p.batch || !isPositiveInteger(p.batch.parallelism) || !isPositiveInteger(p.batch.size))
    problems.push('batch.size and batch.parallelism must be whole numbers ≥ 1');
  if (!p.retry || !isPositiveInteger(p.retry.maxAttempts)) problems.push('retry.maxAttempts must be a whole number ≥ 1');
  if (!Array.isArray(p.notify)) problems.push('notify must be a list');
  if (!p.source || !p.target) problems.push('source and target are required');
  return problems;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
