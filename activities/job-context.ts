import { createMapper, createRuleChecker, type MappingContext, type RecordMapper } from '../src/mapping/mapper.js';
import type { Connection, ColumnInfo } from '../src/connections/types.js';
import type { PageSnapshot } from '../src/connections/index.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { RejectError } from '../src/validation/reject.js';
import type { ActivityDeps } from './deps.js';
import { readPlanFile, type PlanFile } from './job-files.js';
import { openTarget, readRetryRows } from './plan-job.js';
import { sourceFields } from './plan-pages.js';
import { PlannedRanges } from './planned-ranges.js';

/** What every batch of a job shares, built once per process: plan, compiled mapping, target. */
export interface JobContext extends PlanFile {
  mapper: RecordMapper;
  checkRules: (values: Record<string, unknown>) => Promise<RejectError[]>;
  target?: { connection: Connection; columns: Map<string, ColumnInfo> };
  /** Exports and migrations: the store the rows are read from, and the only fields the mapping reads (absent: all). */
  source?: { connection: Connection; fields?: readonly string[] };
  /** The job's snapshot of the rows it reads (PlanFile `snapshot`), opened by its first page. */
  pageSnapshot?: PageSnapshot;
  /** A retry of rejects: the only rows of the source it reads. */
  rows?: Set<number>;
  /** A file source's byte ranges, one a batch, packed (`scan.batches` is left empty: the same ranges as objects). */
  ranges: PlannedRanges;
}

export function mappingContext(plan: JobPlan): MappingContext {
  return { id: plan.jobId, pipeline: plan.pipeline, started_at: plan.startedAt };
}

export class JobContexts {
  private readonly byJob = new Map<string, Promise<JobContext>>();

  constructor(private readonly deps: ActivityDeps) {}

  get(jobDir: string): Promise<JobContext> {
    let ctx = this.byJob.get(jobDir);
    if (!ctx) {
      ctx = this.build(jobDir);
      ctx.catch(() => this.byJob.delete(jobDir));
      this.byJob.set(jobDir, ctx);
    }
    return ctx;
  }

  forget(jobDir: string): void {
    const ctx = this.byJob.get(jobDir);
    this.byJob.delete(jobDir);
    // An open snapshot would keep its file's space after finalize deletes it.
    ctx?.then((c) => c.pageSnapshot?.close()).catch(() => undefined);
  }

  private async build(jobDir: string): Promise<JobContext> {
    const file = readPlanFile(jobDir);
    const { plan } = file;
    const ctx: JobContext = {
      ...file,
      scan: { ...file.scan, batches: [] },
      ranges: PlannedRanges.pack(file.scan.batches),
      mapper: createMapper(plan.columns, mappingContext(plan)),
      checkRules: createRuleChecker(plan.validate.rules, mappingContext(plan)),
    };
    if (plan.retryOf) ctx.rows = readRetryRows(plan.retryOf.rowsFile);
    if (plan.source.type === 'connection') {
      const connection = await this.deps.pool.get(plan.source.connection, plan.source.table, 'read');
      await connection.columns('read'); // the table as it is now, once per job (as for a target)
      const fields = sourceFields(plan);
      ctx.source = { connection, ...(fields ? { fields } : {}) };
    }
    if (plan.target.type === 'connection') {
      const { connection, columns } = await openTarget(this.deps, plan);
      ctx.target = { connection, columns: new Map(columns.map((c) => [c.name, c])) };
    }
    return ctx;
  }
}
