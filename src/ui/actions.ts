import type { App } from '../app.js';
import { JobRefused, type Engine } from '../engine/engine.js';
import { findRejectedRows, retryPlan } from '../operator/retry-rejects.js';
import { planRollback } from '../operator/rollback.js';
import type { JobPlan } from '../plan/job-plan.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { HttpError } from './http.js';
import { jobFilesOf } from './job-page.js';

export interface ActionHooks {
  /**
   * `job` is to run `plan`: said before it is submitted (a throw refuses the start), and again for
   * the running job of the same submission the engine answers with instead, if any.
   */
  starting?: (plan: JobPlan, job: string) => void;
  /** A job run in this process ended, however. */
  ended?: (job: string) => void;
}

/**
 * What the console's buttons do, on whichever engine the project uses: the same operator tools as
 * the CLI. A job started here on the embedded engine runs in this process, in the background.
 */
export class Actions {
  private readonly running = new Set<Promise<unknown>>();
  /** Closing: jobs running here stop after their batches in flight (cancelled, resumable). */
  private stopping = false;

  constructor(
    private readonly app: App,
    private readonly log: (line: string) => void,
    private readonly hooks: ActionHooks = {},
  ) {}

  engine(): Promise<Engine> {
    return this.app.engine();
  }

  /** Submits a plan and, on the embedded engine, runs the job here until it ends. */
  async start(plan: JobPlan, forceNew = false): Promise<{ job: string; existing: boolean }> {
    const engine = await this.engine();
    this.hooks.starting?.(plan, plan.jobId);
    const { jobId, existing } = await engine.submit(plan, { forceNew, log: (line) => this.log(this.mask(line)) });
    if (jobId !== plan.jobId) this.hooks.starting?.(plan, jobId);
    if (!existing) this.runHere(engine, jobId);
    return { job: jobId, existing };
  }

  async cancel(id: string): Promise<{ status: string }> {
    const engine = await this.engine();
    return { status: await engine.cancel(id) };
  }

  async resume(id: string): Promise<{ note: string }> {
    const engine = await this.engine();
    const { note } = await engine.resume(id, { log: (line) => this.log(this.mask(line)) });
    this.runHere(engine, id);
    return { note };
  }

  async retryRejects(id: string): Promise<{ job: string; rows: number }> {
    const rejected = await findRejectedRows(await this.engine(), id, jobFilesOf(this.app.project));
    const loaded = await loadCheckedPipeline(this.app.project, this.app.project.rootDir, rejected.job.plan.pipelineFile);
    if (!loaded.ok) throw new HttpError(422, loaded.diagnostics.map((d) => this.mask(formatDiagnostic(d))).join('\n'));
    const { job } = await this.start(retryPlan(this.app.project, rejected, loaded.loaded), true);
    return { job, rows: rejected.rows.length };
  }

  /** The rollback check (read-only): what rolling back would undo of others' changes, before asking. */
  async rollbackCheck(id: string): Promise<{ ok: true } | { ok: false; findings: string }> {
    try {
      await planRollback(this.app.project, await this.engine(), this.app.deps.pool, id, { force: false, shown: jobFilesOf(this.app.project).shown });
      return { ok: true };
    } catch (err) {
      // Refused because rows changed since: that finding is what the page shows. Other refusals stay errors.
      if (err instanceof JobRefused && err.message.startsWith('refusing to roll back')) return { ok: false, findings: this.mask(err.message) };
      throw err;
    }
  }

  async rollback(id: string, force: boolean): Promise<{ job: string }> {
    const plan = await planRollback(this.app.project, await this.engine(), this.app.deps.pool, id, { force, shown: jobFilesOf(this.app.project).shown });
    const { job } = await this.start(plan, true);
    return { job };
  }

  /** Asks the jobs running here to stop, and waits until they have (closing the server). */
  async settle(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  private runHere(engine: Engine, id: string): void {
    if (engine.name !== 'embedded') return; // Temporal's workers run it
    const run = engine
      .follow(id, { log: (line) => this.log(this.mask(line)), interrupted: () => this.stopping })
      .then((outcome) => this.log(`job ${id} ${outcome.status}${outcome.error ? `: ${this.mask(outcome.error)}` : ''}`))
      .catch((err: unknown) => this.log(`job ${id}: ${this.mask(err instanceof Error ? err.message : String(err))}`))
      .finally(() => {
        this.running.delete(run);
        this.hooks.ended?.(id);
      });
    this.running.add(run);
  }

  private mask(line: string): string {
    return this.app.project.masker.mask(line);
  }
}
