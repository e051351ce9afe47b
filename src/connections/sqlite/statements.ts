import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier } from '../sql-identifiers.js';
import type { TableShape } from './schema.js';

/**
 * Prepared statements of one table shape. Preparing costs more than running a small statement,
 * so each distinct column set is prepared once; a mapping writes the same columns on every row, so
 * a job uses a handful. Columns are identified by their position in the shape (ascending), so the
 * set — not the order values came in — picks the statement, and no name from input reaches SQL
 * unchecked.
 */
export class SqliteStatements {
  readonly markerGet: Statement<[string, number], string>;
  readonly markerPut: Statement<[string, number, string]>;
  /** The rows of the job's first marker with changes (batch-marker.ts `WrittenRows`): source row, key as JSON text. */
  readonly firstWritten: Statement<[string], [number, string]>;
  /** Whether the job has any batch marker (batch-marker.ts `markersGone`). */
  readonly markerAny: Statement<[string], number>;
  /** Whether the job has stored any key (sqlite/job-keys.ts). */
  readonly keyAny: Statement<[string], number>;
  /** The stored keys of the job among a JSON array of keys, with their first row. */
  readonly keysEarlier: Statement<[string, string], { key: string; row: number }>;
  /** Stores a JSON array of [key, row] pairs for the job. */
  readonly keysSave: Statement<[string, string]>;
  private readonly cache = new Map<string, Statement>();
  private readonly table: string;
  /** `INSERT OR ABORT` / `UPDATE OR ABORT` on a table declaring its own conflict resolution (TableShape `declaresConflict`). */
  private readonly insertVerb: string;
  private readonly updateVerb: string;
  /** Runs a function in a savepoint of the caller's transaction (better-sqlite3 nests a transaction so). */
  private readonly nested: (fn: () => unknown) => unknown;

  constructor(
    private readonly db: Database,
    private readonly shape: TableShape,
  ) {
    this.table = quoteIdentifier(shape.table);
    this.insertVerb = shape.declaresConflict ? 'INSERT OR ABORT' : 'INSERT';
    this.updateVerb = shape.declaresConflict ? 'UPDATE OR ABORT' : 'UPDATE';
    this.nested = db.transaction((fn: () => unknown) => fn());
    this.markerGet = db.prepare<[string, number], string>('SELECT output FROM ferry_batches WHERE job = ? AND batch = ?').pluck();
    this.markerPut = db.prepare('INSERT INTO ferry_batches (job, batch, output) VALUES (?, ?, ?)');
    this.firstWritten = db
      .prepare<[string], [number, string]>(
        `SELECT json_extract(c.value, '$.row'), json_extract(c.value, '$.key')
           FROM (SELECT output FROM ferry_batches WHERE job = ? AND json_type(output, '$.changes[0].key') = 'object' ORDER BY batch LIMIT 1) AS m, json_each(m.output, '$.changes') AS c`,
      )
      .raw();
    this.markerAny = db.prepare<[string], number>('SELECT 1 FROM ferry_batches WHERE job = ? LIMIT 1').pluck();
    this.keyAny = db.prepare<[string], number>('SELECT 1 FROM ferry_job_keys WHERE job = ? LIMIT 1').pluck();
    this.keysEarlier = db.prepare('SELECT key, row FROM ferry_job_keys WHERE job = ? AND key IN (SELECT value FROM json_each(?))');
    this.keysSave = db.prepare(
      "INSERT INTO ferry_job_keys (job, key, row) SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
    );
  }

  /**
   * `SELECT <column> … LIMIT 1`, plucked: insert mode only needs to know a user exists, and — when
   * the table has a generated user_id (`column`) — whether this job inserted it. 1 without one.
   */
  exists(key: readonly number[], column?: number): Statement<unknown[], unknown> {
    const what = column === undefined ? '1' : this.name(column);
    return this.cached(
      `e:${key.join(',')}:${column ?? ''}`,
      () => `SELECT ${what} FROM ${this.table} WHERE ${this.keyPredicate(key)} LIMIT 1`,
    ).pluck() as Statement<unknown[], unknown>;
  }

  /**
   * The given columns of the rows matching the key, as arrays (raw): reading only the mapped
   * columns, not `*`, roughly halves the cost of an upsert lookup on the 22-column users table.
   * LIMIT 2 is enough to tell "one" from "ambiguous".
   */
  findByKey(key: readonly number[], columns: readonly number[]): Statement<unknown[], unknown[]> {
    return this.cached(`f:${key.join(',')}:${columns.join(',')}`, () => {
      const names = columns.length > 0 ? columns.map((c) => this.name(c)).join(', ') : '1';
      return `SELECT ${names} FROM ${this.table} WHERE ${this.keyPredicate(key)} LIMIT 2`;
    }).raw() as Statement<unknown[], unknown[]>;
  }

  /**
   * Positions need not be sorted: callers build them in a deterministic order for a given set.
   * `returning` gives the whole stored row back (raw, in table order): the backup's after image.
   */
  insert(columns: readonly number[], returning = false): Statement {
    return this.cached(`i:${columns.join(',')}:${returning}`, () => {
      const names = columns.map((c) => this.name(c)).join(', ');
      return `${this.insertVerb} INTO ${this.table} (${names}) VALUES (${columns.map(() => '?').join(', ')})${returning ? ` RETURNING ${this.all()}` : ''}`;
    });
  }

  /**
   * For a JSON array of key values (each a text, or for a composite key an array of texts): the
   * index in the array of every one a stored row matches, with that row's `column` (1 without one)
   * — the `exists` lookup of a whole batch in one statement, comparing exactly as it does.
   */
  existingKeys(key: readonly number[], column?: number): Statement<[string], [number, unknown]> {
    return this.cached(`k:${key.join(',')}:${column ?? ''}`, () => {
      const what = column === undefined ? '1' : `t.${this.name(column)}`;
      const on = key.map(
        (c, i) =>
          `t.${this.name(c)} = ${key.length === 1 ? 'j.value' : `json_extract(j.value, '$[${i}]')`}${this.shape.columns[c]?.name === 'email' ? ' COLLATE NOCASE' : ''}`,
      );
      return `SELECT j.key, ${what} FROM json_each(?) AS j JOIN ${this.table} AS t ON ${on.join(' AND ')}`;
    }).raw() as Statement<[string], [number, unknown]>;
  }

  /**
   * One INSERT of `rows` rows of the given columns, their values one row after the other.
   * `rollback`: a constraint it hits ends the whole transaction (INSERT OR ROLLBACK) instead of
   * undoing the statement alone — so SQLite keeps no statement journal, a copy of every page the
   * statement touches (sqlite/write.ts).
   */
  insertMany(columns: readonly number[], rows: number, onConflict: 'abort' | 'rollback'): Statement {
    return this.cached(`m:${columns.join(',')}:${rows}:${onConflict}`, () => {
      const names = columns.map((c) => this.name(c)).join(', ');
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const verb = onConflict === 'rollback' ? 'INSERT OR ROLLBACK' : this.insertVerb;
      return `${verb} INTO ${this.table} (${names}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
    });
  }

  /** SET the given columns of the one row matching the key (the caller checked it is exactly one). */
  update(columns: readonly number[], key: readonly number[], returning = false): Statement {
    return this.cached(`u:${columns.join(',')}:${key.join(',')}:${returning}`, () => {
      const set = columns.map((c) => `${this.name(c)} = ?`).join(', ');
      return `${this.updateVerb} ${this.table} SET ${set} WHERE ${this.keyPredicate(key)}${returning ? ` RETURNING ${this.all()}` : ''}`;
    });
  }

  /** The whole rows matching the key (raw, table order); LIMIT 2 tells "one" from "ambiguous". */
  rows(key: readonly number[]): Statement<unknown[], unknown[]> {
    return this.findByKey(
      key,
      this.shape.columns.map((_, i) => i),
    );
  }

  /**
   * The whole row matching the key as a backup image reads it: INTEGERs as bigints, so one beyond
   * ±2^53 another tool stored is kept exactly (read as a double, the rollback had no integer to
   * put back). Its own statement: `rows` is shared with lookups that compare numbers.
   */
  imageRow(key: readonly number[]): Statement<unknown[], unknown[]> {
    return this.cached(`img:${key.join(',')}`, () => `SELECT ${this.all()} FROM ${this.table} WHERE ${this.keyPredicate(key)} LIMIT 2`)
      .raw()
      .safeIntegers() as Statement<unknown[], unknown[]>;
  }

  /** The stored bytes of one column of the row matching the key (TEXT read without decoding). */
  storedBytes(column: number, key: readonly number[]): Statement<unknown[], Buffer | null> {
    return this.cached(
      `b:${column}:${key.join(',')}`,
      () => `SELECT CAST(${this.name(column)} AS BLOB) FROM ${this.table} WHERE ${this.keyPredicate(key)} LIMIT 1`,
    ).pluck() as Statement<unknown[], Buffer | null>;
  }

  /** Turns the stored value of `column` back into TEXT, byte for byte (a restore of `imageTextBytes`). */
  asText(column: number, key: readonly number[]): Statement {
    return this.cached(`t:${column}:${key.join(',')}`, () => {
      const name = this.name(column);
      return `${this.updateVerb} ${this.table} SET ${name} = CAST(${name} AS TEXT) WHERE ${this.keyPredicate(key)}`;
    });
  }

  delete(key: readonly number[]): Statement {
    return this.cached(`d:${key.join(',')}`, () => `DELETE FROM ${this.table} WHERE ${this.keyPredicate(key)}`);
  }

  /** Whether the batch's transaction is still open: a trigger's RAISE(ROLLBACK) ends it under the writer. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** `fn` in a savepoint: what it wrote is undone when it throws, the rest of the batch's transaction kept. */
  savepoint<T>(fn: () => T): T {
    return this.nested(fn) as T;
  }

  private all(): string {
    return this.shape.columns.map((_, i) => this.name(i)).join(', ');
  }

  private cached(id: string, sql: () => string): Statement {
    let statement = this.cache.get(id);
    if (statement === undefined) {
      statement = this.db.prepare(sql());
      this.cache.set(id, statement);
    }
    return statement;
  }

  /**
   * `email` compares with NOCASE (the built-in table declares it so, and its unique index then
   * serves the lookup). SQLite folds ASCII case only — the same as its lower().
   */
  private keyPredicate(key: readonly number[]): string {
    return key.map((c) => `${this.name(c)} = ?${this.shape.columns[c]?.name === 'email' ? ' COLLATE NOCASE' : ''}`).join(' AND ');
  }

  private name(position: number): string {
    const column = this.shape.columns[position];
    if (column === undefined) throw new Error(`no column at position ${position} of ${this.shape.table}`);
    return quoteIdentifier(column.name);
  }
}
