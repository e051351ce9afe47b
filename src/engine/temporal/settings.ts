import { durationMs, type JobPlan } from '../../plan/job-plan.js';
import type { Project } from '../../project/load-config.js';

/** Where Ferry's Temporal lives: ferry.yaml `temporal:`, with TEMPORAL_ADDRESS overriding the address. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** `temporal.heartbeat_timeout`, when set. */
  heartbeatTimeoutMs?: number;
  /** How long a follow rides through the server being out of reach before it gives up (results.ts SERVER_OUTAGE_MS when absent). */
  outageMs?: number;
}

/**
 * Not part of ferry.yaml (its schema is fixed): the environment variable exists so tests and
 * unusual deployments (a server known to take longer to restart) can shorten or lengthen the wait.
 */
export const outageEnv = 'FERRY_TEMPORAL_OUTAGE_MS';

export function temporalSettings(project: Project, env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const { address, namespace, task_queue, heartbeat_timeout } = project.config.temporal;
  const override = env['TEMPORAL_ADDRESS']?.trim();
  const outage = env[outageEnv]?.trim();
  if (outage && !/^\d+$/.test(outage)) throw new Error(`${outageEnv} must be a whole number of milliseconds, got ${JSON.stringify(outage)}`);
  return {
    address: override || address,
    namespace,
    taskQueue: task_queue,
    ...(heartbeat_timeout ? { heartbeatTimeoutMs: durationMs(heartbeat_timeout) } : {}),
    ...(outage ? { outageMs: Number(outage) } : {}),
  };
}

/** The plan as a Temporal job runs it: with ferry.yaml's heartbeat timeout, when set. */
export function withHeartbeatTimeout(plan: JobPlan, settings: Pick<TemporalSettings, 'heartbeatTimeoutMs'>): JobPlan {
  if (settings.heartbeatTimeoutMs === undefined) return plan;
  return { ...plan, retry: { ...plan.retry, heartbeatTimeoutMs: settings.heartbeatTimeoutMs } };
}

/**
 * The plan without the heartbeat timeout its client added: how soon a dead worker is noticed is the
 * deployment's setting, and changes nothing the job reads or writes, so a resume compares plans without it.
 */
export function withoutHeartbeatTimeout(plan: JobPlan): JobPlan {
  if (plan.retry.heartbeatTimeoutMs === undefined) return plan;
  const { heartbeatTimeoutMs: _dropped, ...retry } = plan.retry;
  return { ...plan, retry };
}

/**
 * A connection failure, said plainly, with what to do: by default, for a server never reached
 * (the usual cause is none at the address); `next` for one lost on the way.
 */
export function unreachable(
  settings: TemporalSettings,
  err: unknown,
  next = 'Start one (ferry dev-server, or `temporal server start-dev`), or set TEMPORAL_ADDRESS / temporal.address in ferry.yaml.',
): Error {
  return new Error(`cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${detailOf(err)}. ${next}`);
}

/** The client wraps a failed call ("Failed to get Workflow execution history"): the gRPC error under it says why. */
function detailOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return nativeDetail(cause instanceof Error ? cause.message : String(cause));
}

/**
 * The worker's native connection fails with a Rust debug dump (`tonic::transport::Error(Transport,
 * ConnectError(… ConnectionRefused …))`), the client's gRPC with `14 UNAVAILABLE: No connection
 * established. Last error: Error: connect ECONNREFUSED …. Resolution note: .`: said in words for
 * the failures a wrong address or a server gone gives.
 */
const NATIVE_FAILURES: [RegExp, string][] = [
  [/ConnectionRefused|ECONNREFUSED/, 'connection refused (nothing listens at that port)'],
  [/dns error|failed to lookup address|ENOTFOUND|EAI_AGAIN/, 'the host name does not resolve'],
  [/TimeoutExpired|Timeout expired/, 'no answer before the timeout (something there accepts connections but does not answer as a Temporal server)'],
  [/h2 protocol error|http2 error/, 'what answers there does not speak gRPC (an HTTP/2 protocol error: a web server, or a Temporal server’s web UI port)'],
  [/ConnectionReset|BrokenPipe|connection closed|ECONNRESET/, 'the connection was closed by the other side'],
];

export function nativeDetail(message: string): string {
  if (!/tonic::|Status \{|^14 UNAVAILABLE/.test(message)) return message;
  return NATIVE_FAILURES.find(([pattern]) => pattern.test(message))?.[1] ?? message;
}
