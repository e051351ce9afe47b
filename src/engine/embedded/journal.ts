import type Database from 'better-sqlite3';
import type { JobStatus, JobSummary } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import { JobRefused } from '../engine.js';
import { DamagedRecord, isLiveOwner, LeaseLost, patchColumns, toRecord, type JobPatch, type JobRecord, type Liveness, type Row } from './job-record.js';
import { isJournalFault, journalUnusable } from './journal-writable.js';
import { openJournalDb } from './journal-schema.js';
import { processStart } from './process-owner.js';
import { claimScheduledRun, lastScheduledRun, recordScheduledRun, type ScheduledRun } from './journal-schedules.js';

// Where the job row, its lease and the schedules' bookkeeping are defined; importers name this module.
export { DamagedRecord, isLiveOwner, LeaseLost, type JobRecord, type Liveness } from './job-record.js';
export type { ScheduledRun } from './journal-schedules.js';

/** What `submit` found; only `created` inserted the job. */
export type Submission =
  | { kind: 'created' }
  | { kind: 'existing'; job: JobRecord }
  /** A live job of the same pipeline text exists: compare source checksums (call again with the key). */
  | { kind: 'need-key' }
  /** A live job of the same pipeline text does not know its key yet (it is reading its source). */
  | { kind: 'key-pending'; job: JobRecord };

/**
 * The embedded engine's durable memory, `<state_dir>/journal.db`: jobs, and the recorded output of
 * every finished activity step (insert-or-ignore, so a step recorded twice keeps its first output).
 */
export class Journal {
  private readonly db: Database.Database;

  constructor(stateDir: string) {
    const { db, file } = openJournalDb(stateDir);
    this.db = db;
    // Damage past the pages read at open, or a full disk, shows up in any later statement: name the file and what to do there too.
    return new Proxy(this, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (err) {
            if (err instanceof DamagedRecord) throw new JobRefused(err.inJournal(file));
            throw isJournalFault(err) ? journalUnusable(file, err) : err;
          }
        };
      },
    });
  }

  /**
   * Inserts a job. With `ownerPid` the job is leased to that process from the start (heartbeat
   * `now`), so no other process can take it for interrupted before its owner claims it.
   */
  createJob(plan: JobPlan, status: JobStatus, now: string, options: { ownerPid?: number; submissionKey?: string | null } = {}): void {
    const owner = options.ownerPid ?? null;
    this.db
      .prepare(
        `INSERT INTO jobs (id, pipeline, engine, status, plan, created_at, pipeline_file, pipeline_hash, owner_pid, owner_start, heartbeat_at, submission_key)
         VALUES (?, ?, 'embedded', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        plan.jobId,
        plan.pipeline,
        status,
        JSON.stringify(plan),
        now,
        plan.pipelineFile,
        plan.pipelineHash,
        owner,
        owner === null ? null : processStart(owner),
        owner === null ? null : now,
        options.submissionKey ?? null,
      );
  }

  /**
   * One submission per running job: inserts the job (pending, leased to `ownerPid`) unless a live
   * job of the same pipeline and submission key exists. One IMMEDIATE transaction, so two
   * simultaneous submissions never both start. `key` undefined asks first whether a live job of the
   * same pipeline text exists at all, sparing the caller a full read of the source when none does.
   */
  submit(plan: JobPlan, key: string | undefined, ownerPid: number, live: Liveness): Submission {
    const tx = this.db.transaction((): Submission => {
      const rows = this.db
        .prepare(`SELECT * FROM jobs WHERE pipeline = ? AND pipeline_hash = ? AND status IN ('pending', 'running')`)
        .all(plan.pipeline, plan.pipelineHash) as Row[];
      const running = rows.map(toRecord).filter((job) => isLiveOwner(job, live));
      if (running.length > 0) {
        if (key === undefined) return { kind: 'need-key' };
        const same = running.find((job) => job.submissionKey === key);
        if (same) return { kind: 'existing', job: same };
        const unknown = running.find((job) => job.submissionKey === null);
        if (unknown) return { kind: 'key-pending', job: unknown };
      }
      this.createJob(plan, 'pending', live.now.toISOString(), { ownerPid, submissionKey: key ?? null });
      return { kind: 'created' };
    });
    return tx.immediate();
  }

  /** Records a job's submission key once it is known; a key already recorded stays. */
  setSubmissionKey(id: string, key: string): void {
    this.db.prepare('UPDATE jobs SET submission_key = ? WHERE id = ? AND submission_key IS NULL').run(key, id);
  }

  /**
   * The live job that keeps `id` from writing `target` now: one running (past its own gate) on the
   * same target, where either job is exclusive. A read only, for polling without the write lock.
   */
  targetBlocker(id: string, target: string, shared: boolean, live: Liveness): JobRecord | undefined {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE target = ? AND id != ? AND status = 'running'`).all(target, id) as Row[];
    return rows.map(toRecord).find((job) => isLiveOwner(job, live) && !(shared && job.targetShared));
  }

  /**
   * Passes the target gate: marks the job running on `target` unless `targetBlocker` finds a job in
   * the way (returned). Atomic (IMMEDIATE), so two waiting jobs never both pass.
   */
  acquireTarget(id: string, target: string, shared: boolean, live: Liveness): JobRecord | undefined {
    const tx = this.db.transaction((): JobRecord | undefined => {
      const blocker = this.targetBlocker(id, target, shared, live);
      if (!blocker) this.db.prepare(`UPDATE jobs SET status = 'running', target = ?, target_shared = ? WHERE id = ?`).run(target, shared ? 1 : 0, id);
      return blocker;
    });
    return tx.immediate();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The newest jobs; a record that cannot be read is left out, and passed to `damaged` (one such row kept every command from listing, or running). */
  listJobs(limit = 50, damaged?: (job: DamagedRecord) => void): JobRecord[] {
    return readable(this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as Row[], damaged);
  }

  /** The start of the pipeline's newest succeeded job (`{last_success}`); samples and rollbacks are not runs of the pipeline. */
  lastSuccess(pipeline: string): string | null {
    return this.newestSuccess(pipeline)?.started ?? null;
  }

  /** The job `lastSuccess` comes from: retention keeps it. */
  lastSuccessJob(pipeline: string): string | null {
    return this.newestSuccess(pipeline)?.id ?? null;
  }

  private newestSuccess(pipeline: string): { id: string; started: string } | undefined {
    return this.db
      .prepare(
        `SELECT id, ${planField('$.startedAt')} AS started FROM jobs
         WHERE pipeline = ? AND status = 'succeeded' AND ${planField('$.sample')} IS NULL AND ${planField('$.kind')} != 'rollback'
         ORDER BY started DESC LIMIT 1`,
      )
      .get(pipeline) as { id: string; started: string } | undefined;
  }

  /** Every job, oldest first (retention looks at all of them); a record that cannot be read is left out, and passed to `damaged`. */
  allJobs(damaged?: (job: DamagedRecord) => void): JobRecord[] {
    return readable(this.db.prepare('SELECT * FROM jobs ORDER BY created_at').all() as Row[], damaged);
  }

  /**
   * Forgets a job, its record and its recorded steps, unless `changed` (called with the job as it is
   * now) says why it must stay: read and deleted in one IMMEDIATE transaction, so no resume or claim
   * lands between the last look and the deletion. Returns that reason, or undefined once deleted.
   */
  deleteJobIf(id: string, changed: (job: JobRecord) => string | undefined): string | undefined {
    const tx = this.db.transaction((): string | undefined => {
      const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
      if (!row) return 'it left the journal';
      const reason = changed(toRecord(row));
      if (reason !== undefined) return reason;
      this.db.prepare('DELETE FROM steps WHERE job = ?').run(id);
      this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
      return undefined;
    });
    return tx.immediate();
  }

  /** The jobs that read `id`'s files: rollbacks of it (its backup), retries of its rejects. */
  readersOf(id: string): string[] {
    const rows = this.db.prepare(`SELECT id FROM jobs WHERE ${planField('$.rollback.job')} = ? OR ${planField('$.retryOf.job')} = ?`).all(id, id) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  /** Jobs of a pipeline that some process claims to be running. */
  runningJobs(pipeline: string): JobRecord[] {
    return (this.db.prepare(`SELECT * FROM jobs WHERE pipeline = ? AND status IN ('pending', 'running')`).all(pipeline) as Row[]).map(toRecord);
  }

  /** With `lease`, only while that lease holds (else LeaseLost): a holder fenced off records nothing. */
  update(id: string, patch: JobPatch, lease?: number): void {
    const columns = patchColumns(patch);
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const fence = lease === undefined ? '' : ' AND lease = @lease';
    const changed = this.db
      .prepare(`UPDATE jobs SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id${fence}`)
      .run({ ...columns, id, ...(lease === undefined ? {} : { lease }) });
    if (lease !== undefined && changed.changes === 0) throw new LeaseLost(`job ${id} was taken over by another process`);
    // A job pruned (`ferry jobs prune`, `serve`'s retention) after the caller read it: say so, rather than carry on with nothing.
    if (changed.changes === 0) throw new JobRefused(`job ${id} is no longer in the journal: ferry jobs prune deleted it meanwhile`);
  }

  /**
   * Takes the job for this process unless another live process holds it (`isLiveOwner`). Returns the
   * new fencing token, or undefined when refused. Atomic (IMMEDIATE), so two processes never both
   * win. A new lease passes the target gate again (`acquireTarget`), so the target of a past run is cleared.
   * With `expected` (the token a resume saw when it checked the job), only while the token is still
   * that: a cancel of the interrupted job, or another resume, since then wins.
   */
  claim(id: string, pid: number, live: Liveness, expected?: number): number | undefined {
    const claimTx = this.db.transaction((): number | undefined => {
      const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      const job = toRecord(row);
      if (expected !== undefined && job.lease !== expected) return undefined;
      if (job.ownerPid !== null && job.ownerPid !== pid && isLiveOwner(job, live)) return undefined;
      const lease = job.lease + 1;
      // A cancel asked of a job this process already holds (submitted, not yet running) stands; one asked of a past run does not.
      const ours = job.ownerPid === pid && job.ownerStart === processStart(pid);
      this.db
        .prepare(
          `UPDATE jobs SET owner_pid = ?, owner_start = ?, heartbeat_at = ?, run_started_at = ?, lease = ?, ${ours ? '' : 'cancel_requested = 0, '}target = NULL WHERE id = ?`,
        )
        .run(pid, processStart(pid), live.now.toISOString(), live.now.toISOString(), lease, id);
      return lease;
    });
    return claimTx.immediate();
  }

  /**
   * `jobs cancel` of a job no live process holds (interrupted): marked cancelled and its fencing token
   * raised, in one IMMEDIATE transaction, so a resume that checked the job before cannot claim it
   * after (`claim` with `expected`), and one that claimed it first is found holding it. Returns
   * 'marked' once marked, 'held' when a live process holds it (the caller asks it to stop), else
   * the status it ended with.
   * `summary` (the counts its journaled batches prove) replaces the saved counts, which lag behind.
   */
  cancelUnheld(id: string, live: Liveness, summary: JobSummary | undefined): 'marked' | 'held' | JobStatus | undefined {
    const cancelTx = this.db.transaction((): 'marked' | 'held' | JobStatus | undefined => {
      const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      const job = toRecord(row);
      if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') return job.status;
      if (isLiveOwner(job, live)) return 'held';
      const counts = summary === undefined ? '' : ', summary = @summary';
      this.db
        .prepare(
          `UPDATE jobs SET status = 'cancelled', ended_at = @now, lease = lease + 1, owner_pid = NULL, owner_start = NULL, heartbeat_at = NULL${counts} WHERE id = @id`,
        )
        .run({ now: live.now.toISOString(), id, ...(summary === undefined ? {} : { summary: JSON.stringify(summary) }) });
      return 'marked';
    });
    return cancelTx.immediate();
  }

  /** Whether `ferry jobs cancel` (or the console) asked the job to stop. */
  cancelRequested(id: string): boolean {
    const row = this.db.prepare('SELECT cancel_requested FROM jobs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  /** Renews the lease; `held` false when another process took the job since (the holder must stop). */
  heartbeat(id: string, pid: number, lease: number, now: Date): { held: boolean; cancelRequested: boolean } {
    const held =
      this.db.prepare('UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND owner_pid = ? AND lease = ?').run(now.toISOString(), id, pid, lease).changes > 0;
    return { held, cancelRequested: this.cancelRequested(id) };
  }

  release(id: string, pid: number, lease: number): void {
    this.db
      .prepare('UPDATE jobs SET owner_pid = NULL, owner_start = NULL, heartbeat_at = NULL WHERE id = ? AND owner_pid = ? AND lease = ?')
      .run(id, pid, lease);
  }

  requestCancel(id: string): void {
    this.db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
  }
  /** When `ferry serve` last started a scheduled run of the pipeline (the time it was due), and its job. */
  lastScheduledRun(pipeline: string): ScheduledRun | undefined {
    return lastScheduledRun(this.db, pipeline);
  }

  /** Records a run unless one at or after `due` is recorded (another serve's): one statement, so two serves never both claim it. */
  claimScheduledRun(run: ScheduledRun, due: Date): boolean {
    return claimScheduledRun(this.db, run, due);
  }

  recordScheduledRun(run: ScheduledRun): void {
    recordScheduledRun(this.db, run);
  }

  /** The recorded outputs of a job's steps whose key starts with `prefix`, with when each was recorded. */
  stepsStartingWith(job: string, prefix: string): { key: string; output: unknown; recordedAt: string }[] {
    const rows = this.db.prepare(`SELECT key, output, recorded_at FROM steps WHERE job = ? AND substr(key, 1, length(?)) = ?`).all(job, prefix, prefix) as {
      key: string;
      output: string;
      recorded_at: string;
    }[];
    return rows.map((r) => ({ key: r.key, output: stepOutput(job, r.key, r.output), recordedAt: r.recorded_at }));
  }

  getStep(job: string, key: string): unknown {
    const row = this.db.prepare('SELECT output FROM steps WHERE job = ? AND key = ?').get(job, key) as { output: string } | undefined;
    return row ? stepOutput(job, key, row.output) : undefined;
  }

  /**
   * Reads every recorded step of a job, throwing `DamagedRecord` for the first that is not JSON: a
   * resume checks them all before it changes anything, as one found mid-run failed the job again
   * with its counts zeroed (the replayed step failed like a step that ran).
   */
  checkSteps(job: string): void {
    const rows = this.db.prepare('SELECT key, output FROM steps WHERE job = ? ORDER BY key').all(job) as { key: string; output: string }[];
    for (const row of rows) stepOutput(job, row.key, row.output);
  }

  /** Insert-or-ignore; with `lease`, only while that lease holds (else LeaseLost), checked in the same transaction. */
  recordStep(job: string, key: string, output: unknown, now: string, lease?: number): void {
    const record = this.db.transaction(() => {
      if (lease !== undefined && this.db.prepare('SELECT 1 FROM jobs WHERE id = ? AND lease = ?').get(job, lease) === undefined) {
        throw new LeaseLost(`job ${job} was taken over by another process; step ${key} not recorded`);
      }
      this.db.prepare('INSERT OR IGNORE INTO steps (job, key, output, recorded_at) VALUES (?, ?, ?, ?)').run(job, key, JSON.stringify(output ?? null), now);
    });
    record.immediate();
  }

  close(): void {
    this.db.close();
  }
}

/** A field of a job's plan in SQL, null for a plan that is not JSON: json_extract fails the whole statement on one damaged row. */
function planField(path: string): string {
  return `CASE WHEN json_valid(plan) THEN json_extract(plan, '${path}') END`;
}

/** The rows' records, those that cannot be read left out and passed to `damaged`. */
function readable(rows: Row[], damaged: ((job: DamagedRecord) => void) | undefined): JobRecord[] {
  const records: JobRecord[] = [];
  for (const row of rows) {
    try {
      records.push(toRecord(row));
    } catch (err) {
      if (!(err instanceof DamagedRecord)) throw err;
      damaged?.(err);
    }
  }
  return records;
}

/** A recorded step's output; one that is not JSON is named with its job and step (it said only "Unterminated string in JSON"). */
function stepOutput(job: string, key: string, output: string): unknown {
  try {
    return JSON.parse(output) as unknown;
  } catch (err) {
    throw new DamagedRecord(job, `its recorded step ${key} is not JSON (${(err as Error).message})`);
  }
}
