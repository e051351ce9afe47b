import { ConnectionPool, createActivities, type ActivityDeps } from '../activities/index.js';
import type { PipelineActivities } from './plan/activity-types.js';
import { createWriterTurn } from './connections/writer-turn.js';
import { batchThreadPolicy, createBatchThreads, withBatchThreads, type BatchThreads } from './engine/embedded/batch-threads.js';
import { failpointHits } from './failpoints.js';
import { createEmbeddedEngine, type EmbeddedEngine } from './engine/embedded/engine.js';
import type { Engine, EngineName } from './engine/engine.js';
import type { Project } from './project/load-config.js';
import { storesOf } from './project/plan-for.js';

/**
 * The composition root: the one place that wires a project's pieces together — the connection
 * pool, the activities' dependencies, the engines. The CLI and `ferry worker` build one App per
 * process and close it at the end; nothing else constructs a journal, a pool or a Temporal client.
 */
export interface App {
  readonly project: Project;
  /** The activities' dependencies (one connection pool): dry runs, the rollback check, workers. */
  readonly deps: ActivityDeps;
  /** The project's engine (ferry.yaml `engine:`), or the one named. Temporal's SDK is loaded only when chosen. */
  engine(name?: EngineName): Promise<Engine>;
  /** The embedded engine, whatever ferry.yaml says (`ferry serve`). */
  embedded(): EmbeddedEngine;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where relative paths given on the command line resolve. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function createApp(project: Project, options: AppOptions): App {
  const { connections } = project.config;
  const threadEntry = new URL('../activities/batch-thread.js', import.meta.url);
  const threadPolicy = batchThreadPolicy(options.env, connections, threadEntry);
  // Shared by this process's connections and its batch threads' (SQLite: one writer at a time).
  const writerTurn = threadPolicy.count > 0 ? createWriterTurn() : undefined;
  const pool = new ConnectionPool(connections, project.rootDir, writerTurn);
  const deps: ActivityDeps = {
    connections,
    baseDir: project.rootDir,
    masker: project.masker,
    pool,
    ...(project.config.notify?.smtp ? { smtp: project.config.notify.smtp } : {}),
  };
  let activities: PipelineActivities | undefined;
  let threads: BatchThreads | undefined;
  const engineActivities = (): PipelineActivities => {
    const acts = createActivities(deps);
    if (!writerTurn) return acts;
    const setup = { connections, baseDir: project.rootDir, secrets: project.masker.secrets(), writerTurn: writerTurn.cell, failpointHits: failpointHits() };
    threads = createBatchThreads(threadEntry, setup, { size: threadPolicy.count, heapMb: threadPolicy.heapMb });
    return withBatchThreads(acts, threads, { asked: threadPolicy.asked, connections });
  };
  let embedded: EmbeddedEngine | undefined;
  let temporal: Promise<Engine> | undefined;
  const embeddedEngine = (): EmbeddedEngine =>
    (embedded ??= createEmbeddedEngine({ project, cwd: options.cwd, activities: () => (activities ??= engineActivities()) }));
  return {
    project,
    deps,
    embedded: embeddedEngine,
    engine(name = project.config.engine) {
      if (name === 'embedded') return Promise.resolve(embeddedEngine());
      return (temporal ??= loadTemporalEngine(project, options));
    },
    async close() {
      const engines = [embedded, await temporal?.catch(() => undefined)];
      await Promise.allSettled(engines.map((e) => e?.close()));
      await threads?.close();
      await pool.closeAll();
    },
  };
}

async function loadTemporalEngine(project: Project, { env, cwd }: AppOptions): Promise<Engine> {
  const [{ createTemporalEngine }, { temporalSettings }, { projectIdentity }] = await Promise.all([
    import('./engine/temporal/engine.js'),
    import('./engine/temporal/settings.js'),
    import('./engine/temporal/project-identity.js'),
  ]);
  return createTemporalEngine({
    settings: temporalSettings(project, env),
    project: projectIdentity(project),
    connections: project.config.connections,
    storesNow: (names) => storesOf(project, names),
    pipelineNow: { project, cwd },
    rootDir: project.rootDir,
    stateDir: project.stateDir,
  });
}
