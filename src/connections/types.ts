import type { ZodType } from 'zod';
import type { RejectError } from '../validation/reject.js';

export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json' | 'timestamp';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  nullable: boolean;
  primaryKey: boolean;
  /** Part of a single-column unique constraint or index (or the primary key). */
  unique: boolean;
  /**
   * The store fills the column when a row leaves it out: a declared default, an integer rowid alias,
   * or a value Ferry generates (built-in user_id; created_at/updated_at from the job's `now`). A
   * not-null column with `hasDefault` need not be mapped. Absent means false.
   */
  hasDefault?: boolean;
}

/** A mapped, validated record bound for the target: values keyed by column, JSON columns as objects. */
export interface RowToWrite {
  row: number;
  values: Record<string, unknown>;
}

export interface WriteBatchInput {
  job: string;
  batch: number;
  rows: RowToWrite[];
  /** Key columns that identify a user (default ['email']); a column named email compares case-insensitively. */
  key: string[];
  upsert: boolean;
  metadata: 'merge' | 'replace';
  /** ISO timestamp written to created_at/updated_at where the table has them: the job's start, so reruns are identical. */
  now: string;
}

export interface WriteBatchOutput {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows refused by the store: DUPLICATED_USER, DUPLICATE_IN_SOURCE, CONFLICT, constraint/type errors. */
  rejects: { row: number; errors: RejectError[] }[];
  /** True when this (job, batch) had already been committed: nothing was written, the recorded output is returned. */
  replayed: boolean;
}

/** An open user store. One instance may serve many batches of many jobs. */
export interface Connection {
  readonly driver: string;
  readonly table: string;
  /**
   * The target table's columns. Creates the built-in users table first when the table does not
   * exist. Called at validation time and once per job.
   */
  columns(): Promise<ColumnInfo[]>;
  /**
   * Applies one batch atomically with a (job, batch) marker in the same transaction. If the marker
   * exists the batch is not applied again and the recorded output comes back with `replayed: true`,
   * so a batch retried after a crash never writes a row twice. Per-row problems are rejects, never a
   * thrown error; a thrown error means the whole batch was rolled back (retryable or not, see errors.ts).
   */
  writeBatch(input: WriteBatchInput): Promise<WriteBatchOutput>;
  /** Drops the job's bookkeeping (keys seen for DUPLICATE_IN_SOURCE). Idempotent. Markers stay. */
  finishJob(job: string): Promise<void>;
  close(): Promise<void>;
}

/** What `open()` needs besides the options: relative paths in the options resolve from `baseDir` (ferry.yaml's folder). */
export interface ConnectionContext {
  baseDir: string;
}

/**
 * A driver, as registered in `connections/index.ts`: its name (= its file name and the `driver:`
 * value in ferry.yaml), its options schema, and how to open it. `open` fails with a ConnectionError
 * (errors.ts) whose message starts with `[connection:<name>]` and holds no secret.
 */
export interface ConnectionDefinition<Options = unknown> {
  readonly name: string;
  readonly options: ZodType<Options>;
  open(options: Options, ctx: ConnectionContext): Promise<Connection>;
}
