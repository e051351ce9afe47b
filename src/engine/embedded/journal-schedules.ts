import type Database from 'better-sqlite3';

/** The scheduler's bookkeeping of one pipeline (`ferry serve`): what decides a missed run on start. */
export interface ScheduledRun {
  pipeline: string;
  lastRunAt: string;
  lastJob: string | null;
}

/** When `ferry serve` last started a scheduled run of the pipeline (the time it was due), and its job. */
export function lastScheduledRun(db: Database.Database, pipeline: string): ScheduledRun | undefined {
  const row = db.prepare('SELECT pipeline, last_run_at, last_job FROM schedules WHERE pipeline = ?').get(pipeline) as
    { pipeline: string; last_run_at: string; last_job: string | null } | undefined;
  return row ? { pipeline: row.pipeline, lastRunAt: row.last_run_at, lastJob: row.last_job } : undefined;
}

/** Records a run unless one at or after `due` is recorded (another serve's): one statement, so two serves never both claim it. */
export function claimScheduledRun(db: Database.Database, run: ScheduledRun, due: Date): boolean {
  // ISO-8601 UTC strings of one format compare as their times do.
  const claimed = db
    .prepare(
      'INSERT INTO schedules (pipeline, last_run_at, last_job) VALUES (?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET last_run_at = excluded.last_run_at, last_job = excluded.last_job WHERE schedules.last_run_at < ?',
    )
    .run(run.pipeline, run.lastRunAt, run.lastJob, due.toISOString());
  return claimed.changes === 1;
}

/** Records the job a claimed run started. */
export function recordScheduledRun(db: Database.Database, run: ScheduledRun): void {
  db.prepare('UPDATE schedules SET last_job = ? WHERE pipeline = ? AND last_run_at = ?').run(run.lastJob, run.pipeline, run.lastRunAt);
}
