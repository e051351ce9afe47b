import { JobRefused, type Engine } from './engine.js';
import { rollbacksOf } from './rollbacks.js';

/** Connections by name as ferry.yaml describes them now (project/plan-for.ts `storesOf`). */
export type StoresNow = (names: readonly string[]) => Record<string, string>;

/**
 * What a resume must refuse on either engine, before it reruns anything:
 * - a job a rollback has touched: a resume runs only the batches the job has not done, so the
 *   batches the rollback undid would stay undone while the summary counted them written;
 * - a job whose connections ferry.yaml now points at other stores: the rest of its rows would go
 *   to another database than its first batches (and its rollback would look there too).
 */
export async function refuseResume(jobs: Pick<Engine, 'get' | 'list'>, id: string, storesNow: StoresNow): Promise<void> {
  const job = await jobs.get(id);
  // Still running: the engine says so, and by whom.
  if (!job || job.status === 'running' || job.status === 'pending') return;
  const moved = movedStores(job.plan.stores, storesNow);
  if (moved.length > 0) {
    throw new JobRefused(
      movedRefusal(
        `resume job ${id}`,
        'since it started, so its rows would land in two stores',
        moved,
        `Restore ferry.yaml, or run the pipeline as a new job (ferry run ${job.plan.pipelineFile}).`,
      ),
    );
  }
  // A rollback is not rolled back (Ferry refuses), so only a job that wrote rows may have one.
  if (job.kind === 'rollback') return;
  const [rollback] = await rollbacksOf(jobs, job.pipeline, id);
  if (!rollback) return;
  const next =
    rollback.status === 'succeeded'
      ? `run its pipeline as a new job to write its rows again (ferry run ${job.plan.pipelineFile})`
      : `finish the rollback first (ferry jobs resume ${rollback.id}), then run its pipeline as a new job`;
  throw new JobRefused(
    `refusing to resume job ${id}: job ${rollback.id} rolled it back (${rollback.status}), and a resume would not redo the batches the rollback undid; ${next}`,
  );
}

/** The refusal of an operation on a job whose connections moved: what was refused, why, each move, what to do. */
export function movedRefusal(what: string, why: string, moved: readonly string[], next: string): string {
  return `refusing to ${what}: ferry.yaml changed where its connections point ${why}:\n${moved.map((line) => `  ${line}`).join('\n')}\n${next}`;
}

/** `connection users: was sqlite .ferry/users.db table users, now sqlite .ferry/new.db table users`, for each that moved. */
export function movedStores(planned: Readonly<Record<string, string>> | undefined, storesNow: StoresNow): string[] {
  if (planned === undefined) return []; // a plan from before stores were kept
  const names = Object.keys(planned);
  const now = storesNow(names);
  return names.filter((n) => now[n] !== planned[n]).map((n) => `connection ${n}: was ${planned[n]}, now ${now[n] ?? 'not in ferry.yaml'}`);
}
