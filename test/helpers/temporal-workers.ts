import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startFerry } from './cli.js';
import type { JobReportJson, TestProject } from './project.js';

/** Live Temporal tests drive Ferry through its CLI only: `ferry worker` and `ferry run` child processes. */

/** A ferry.yaml for `engine: temporal` on `address`, with `extra` YAML appended and `heartbeat_timeout` when given. */
export function temporalConfig(address: string, taskQueue: string, extra = '', heartbeatTimeout?: string): string {
  const heartbeat = heartbeatTimeout ? `, heartbeat_timeout: ${heartbeatTimeout}` : '';
  return `engine: temporal\ntemporal: { address: "${address}", namespace: default, task_queue: ${taskQueue}${heartbeat} }\n${extra}`;
}

/** A unique task queue per suite, so workers of one suite never take another's tasks. */
export function taskQueue(name: string): string {
  return `ferry-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface FerryWorker {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM (graceful), resolved at exit. */
  stop(): Promise<void>;
  /** SIGKILL, resolved at exit. */
  kill(): Promise<void>;
}

/** `ferry worker` in `cwd`, resolved once it polls (its "ferry worker: <address>…" line). */
export async function startWorker(cwd: string, env: Record<string, string> = {}): Promise<FerryWorker> {
  const child = startFerry(['worker'], { cwd, env });
  let seen = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (/ferry worker: \S+, namespace/.test(seen)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`ferry worker exited (${code}) before it was ready:\n${seen}`)));
  });
  await ready;
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => seen,
    exited,
    stop: async () => {
      if (!ended()) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (!ended()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `ferry <args>` in the background, its output collected. */
export function startCli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const child = startFerry(args, { cwd, env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit, report: () => JSON.parse(out.stdout) as JobReportJson };
}

/** `ferry run <file> --json` in the background. */
export function startRun(cwd: string, file: string, ...flags: string[]) {
  return startCli(cwd, ['run', file, '--json', ...flags]);
}

export async function until(what: () => boolean | Promise<boolean>, ms = 90_000, step = 200): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, step))) if (await what()) return;
  throw new Error(`timed out after ${ms / 1000} s waiting`);
}

/** `ferry jobs list --json` of a project, parsed. */
export function listJobs(p: TestProject, ...flags: string[]): { job: string; pipeline: string; status: string; engine: string }[] {
  const listed = p.ferry('jobs', 'list', '--json', ...flags);
  if (listed.code !== 0) throw new Error(`ferry jobs list failed (${listed.code}): ${listed.stderr}`);
  return listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as never);
}

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Runs `fn` with a Temporal client of the test's own on `address` (namespace default). */
export async function withTestClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection, namespace: 'default' }));
  } finally {
    await connection.close();
  }
}

/** The ids of the running jobs of a task queue, from visibility. */
export function runningJobs(address: string, queue: string): Promise<string[]> {
  return withTestClient(address, async (client) => {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running' AND TaskQueue = '${queue}' AND WorkflowType = 'pipelineWorkflow'` }))
      ids.push(w.workflowId);
    return ids;
  });
}

/** The job's activities in flight: which worker runs each (its identity is `<pid>@<host>`) and its last heartbeat. */
export function pendingActivities(
  address: string,
  jobId: string,
): Promise<{ type: string; started: boolean; attempt: number; worker: string; heartbeat: boolean }[]> {
  return withTestClient(address, async (client) => {
    const { raw } = await client.workflow.getHandle(jobId).describe();
    return (raw.pendingActivities ?? []).map((a) => ({
      type: a.activityType?.name ?? '',
      started: a.state === 2, // PENDING_ACTIVITY_STATE_STARTED
      attempt: a.attempt ?? 0,
      worker: a.lastWorkerIdentity ?? '',
      heartbeat: Boolean(a.heartbeatDetails?.payloads?.length),
    }));
  });
}

/** A job's workflow history (all runs, when it continued as new), read with a client of its own. */
export function jobHistory(address: string, jobId: string): Promise<HistoryEvent[][]> {
  return withTestClient(address, async (client) => {
    const runs: HistoryEvent[][] = [];
    // Visibility lists the runs of the id (continue-as-new, reset) newest first.
    const executions: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = '${jobId}'` })) executions.push(w.runId);
    for (const id of executions.reverse()) {
      const history = await client.workflow.getHandle(jobId, id).fetchHistory();
      runs.push(history.events ?? []);
    }
    return runs;
  });
}

/** The runBatch activities a history scheduled, and the worker identities that started them. */
export function runBatchActivity(events: HistoryEvent[]): { scheduled: number; identities: Set<string> } {
  const scheduledIds = new Set<string>();
  const identities = new Set<string>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'runBatch') scheduledIds.add(String(e.eventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started && scheduledIds.has(String(started.scheduledEventId)) && started.identity) identities.add(started.identity);
  }
  return { scheduled: scheduledIds.size, identities };
}
