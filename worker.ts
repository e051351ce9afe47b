import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createApp, type App } from './src/app.js';
import { createScheduleActivities } from './activities/schedule.js';
import { createTemporalActivities, toTemporalFailure } from './activities/temporal.js';
import { connectClient, connectionOptions } from './src/engine/temporal/client.js';
import { temporalSettings, unreachable, withHeartbeatTimeout, type TemporalSettings } from './src/engine/temporal/settings.js';
import { portablePlan } from './src/engine/temporal/portable-plan.js';
import { projectIdentity } from './src/engine/temporal/project-identity.js';
import { createTargetLockActivities } from './src/engine/temporal/target-lock.js';
import { loadProject, type Project } from './src/project/load-config.js';

export interface WorkerRunOptions {
  log?: (line: string) => void;
  /** Aborting it shuts the worker down gracefully (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/**
 * A Ferry worker: polls the task queue of ferry.yaml's `temporal:` for pipeline workflows, the
 * table locks that keep two jobs from writing one table at once, and their activities, until
 * SIGINT/SIGTERM. Shutdown is graceful: no new tasks are taken, activities in flight get the
 * grace time to finish their chunk (a batch commits chunk by chunk, so a cut batch resumes from
 * its last heartbeat on another worker).
 */
export async function runWorker(project: Project, options: WorkerRunOptions = {}): Promise<void> {
  const settings = temporalSettings(project);
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  refuseUnbundlablePath(workflowsPath());
  const connection = await NativeConnection.connect(connectionOptions(settings)).catch((err: unknown) => {
    throw unreachable(settings, err);
  });
  // The table locks' activities signal and describe workflows: a client of its own, on a regular connection.
  const client = await connectClient(settings).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  // Plans hold paths relative to the project folder (src/engine/temporal/portable-plan.ts): a
  // worker resolves them in its own copy of the project, wherever it was started.
  process.chdir(project.rootDir);
  const app = createApp(project, { cwd: project.rootDir, env: process.env });
  try {
    await openSqliteConnections(app);
    const worker = await createWorker(app, settings, { connection, client });
    const stop = (): void => {
      // The SDK's runtime also reacts to these signals; whoever comes second finds it stopping.
      if (worker.getState() !== 'RUNNING') return;
      log('ferry worker: shutting down (finishing the activities in flight)…');
      worker.shutdown();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    options.signal?.addEventListener('abort', stop, { once: true });
    log(`ferry worker: ${settings.address}, namespace ${settings.namespace}, task queue ${settings.taskQueue}`);
    try {
      await worker.run();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } finally {
    await app.close();
    await client.connection.close();
    await connection.close();
  }
}

/**
 * Opens the project's SQLite connections before polling: a worker that cannot open one would take
 * batches only to fail them, so it refuses to start and says which file and why.
 */
async function openSqliteConnections({ project, deps }: App): Promise<void> {
  for (const [name, options] of Object.entries(project.config.connections)) {
    if (options.driver !== 'sqlite') continue;
    await deps.pool.get(name).catch((err: unknown) => {
      const reason = project.masker.mask(err instanceof Error ? err.message : String(err));
      throw new Error(
        `cannot open the SQLite connection "${name}" (${options.path}): ${reason}. ` +
          'Every worker must open every connection in ferry.yaml; workers on several machines need a store they all reach (PostgreSQL).',
      );
    });
  }
}

function createWorker(app: App, settings: TemporalSettings, { connection, client }: { connection: NativeConnection; client: Client }): Promise<Worker> {
  const { project } = app;
  // The project this worker serves: planJob refuses a job another project put on this task queue.
  const activities = createTemporalActivities({ ...app.deps, project: projectIdentity(project) });
  return Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    workflowsPath: workflowsPath(),
    activities: {
      ...activities,
      planScheduledRun: scheduled(app, settings),
      ...createTargetLockActivities({ client, connections: project.config.connections }),
    },
    shutdownGraceTime: '30 seconds',
    // How many activities (batches) one worker runs at once; the SDK's default is 100.
    ...activityLimit(process.env['FERRY_WORKER_ACTIVITIES']),
  });
}

/** planScheduledRun with the same error translation as the pipeline activities (an invalid pipeline is not retried). */
function scheduled(app: App, settings: TemporalSettings): ReturnType<typeof createScheduleActivities>['planScheduledRun'] {
  const { project } = app;
  // `{last_success}` comes from Temporal visibility, asked only when a pipeline's query uses it.
  const { planScheduledRun } = createScheduleActivities(project, { lastSuccess: async (pipeline) => (await app.engine('temporal')).lastSuccess(pipeline) });
  return (input) =>
    planScheduledRun(input).then(
      (run) => ({ ...run, plan: withHeartbeatTimeout(portablePlan(run.plan, project.rootDir), settings) }),
      (err: unknown) => Promise.reject(toTemporalFailure(err, (t) => project.masker.mask(t))),
    );
}

/**
 * webpack, which bundles the workflow code, reads a `?` in its path as a query and a `!` as a
 * loader: the bundle fails, and the SDK then threw from inside webpack's callback (a raw stack).
 */
function refuseUnbundlablePath(path: string): void {
  const char = /[?!]/.exec(path)?.[0];
  if (char === undefined) return;
  throw new Error(
    `Ferry's workflow code is at ${path}, whose "${char}" Temporal's bundler (webpack) cannot read in a path: ` +
      `install the project (or Ferry) in a folder whose path has no "?" or "!"`,
  );
}

/** workflows/index: compiled (dist/workflows/index.js) next to this file, or the TypeScript source. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
}

// `node dist/worker.js`: the same as `ferry worker`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWorker(loadProject(process.cwd(), process.env['FERRY_CONFIG'], process.env)).catch((err: unknown) => {
    process.stderr.write(`ferry worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

/** FERRY_WORKER_ACTIVITIES: at most this many activities at once on this worker (memory, or spreading batches over workers). */
function activityLimit(value: string | undefined): { maxConcurrentActivityTaskExecutions?: number } {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? { maxConcurrentActivityTaskExecutions: n } : {};
}
