import { durationMs, type JobPlan } from '../../plan/job-plan.js';
import type { Project } from '../../project/load-config.js';

/** Where Ferry's Temporal lives: ferry.yaml `temporal:`, with TEMPORAL_ADDRESS overriding the address. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** `temporal.heartbeat_timeout`, when set. */
  heartbeatTimeoutMs?: number;
}

export function temporalSettings(project: Project, env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const { address, namespace, task_queue, heartbeat_timeout } = project.config.temporal;
  const override = env['TEMPORAL_ADDRESS']?.trim();
  return {
    address: override || address,
    namespace,
    taskQueue: task_queue,
    ...(heartbeat_timeout ? { heartbeatTimeoutMs: durationMs(heartbeat_timeout) } : {}),
  };
}

/** The plan as a Temporal job runs it: with ferry.yaml's heartbeat timeout, when set. */
export function withHeartbeatTimeout(plan: JobPlan, settings: Pick<TemporalSettings, 'heartbeatTimeoutMs'>): JobPlan {
  if (settings.heartbeatTimeoutMs === undefined) return plan;
  return { ...plan, retry: { ...plan.retry, heartbeatTimeoutMs: settings.heartbeatTimeoutMs } };
}

/** A connection failure, said plainly: the usual cause is no server at the address. */
export function unreachable(settings: TemporalSettings, err: unknown): Error {
  const detail = err instanceof Error ? err.message : String(err);
  return new Error(
    `cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${detail}. ` +
      'Start one (ferry dev-server, or `temporal server start-dev`), or set TEMPORAL_ADDRESS / temporal.address in ferry.yaml.',
  );
}
