import type { SqliteStatements } from './statements.js';

/**
 * One batch's view of the keys its job has already accepted, for DUPLICATE_IN_SOURCE across
 * batches. A row is accepted once written (or found unchanged); a rejected row leaves its key free.
 *
 * Only keys that cannot be recognised in the table itself are stored in `ferry_job_keys`: a row
 * this job inserted with a generated user_id names the job and its source row in that id
 * (users-table.ts `jobUserIds`), so the key lookup the write does anyway finds it. Recording every
 * inserted key cost a random B-tree insert per row, as much again as the row's own email index.
 * The rest — rows an upsert matched, rows whose user_id the mapping gives, tables without a
 * generated id — are read in one statement per batch and stored in one at its end.
 */
export class BatchKeys {
  private readonly here = new Map<string, number>();
  private readonly earlier: Map<string, number>;
  private readonly claims: [string, number][] = [];

  constructor(
    private readonly statements: SqliteStatements,
    private readonly job: string,
    keys: readonly string[],
  ) {
    // Most jobs never store a key (an insert into the built-in table): one probe spares the lookup.
    const any = keys.length > 0 && statements.keyAny.get(job) !== undefined;
    this.earlier = any ? new Map(statements.keysEarlier.all(job, JSON.stringify(keys)).map((r) => [r.key, r.row])) : new Map();
  }

  /** The row that first took this key in the job, if one did (in this batch or an earlier one). */
  firstRow(key: string): number | undefined {
    return this.here.get(key) ?? this.earlier.get(key);
  }

  /** The row was written or found unchanged; `store` unless the table itself will tell (see above). */
  accept(key: string, row: number, store: boolean): void {
    this.here.set(key, row);
    if (store) this.claims.push([key, row]);
  }

  /** Stores the batch's claims, in its transaction. */
  save(): void {
    if (this.claims.length > 0) this.statements.keysSave.run(this.job, JSON.stringify(this.claims));
  }
}
