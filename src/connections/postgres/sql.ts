import { createHash } from 'node:crypto';
import { bookkeeping, type PgShape } from './schema.js';
import { quoteIdentifier } from '../sql-identifiers.js';

/** A statement: its text, and the name it is prepared under (once per pooled session, by pg). */
export interface PgStatement {
  name: string;
  text: string;
}

/**
 * The SQL of one table shape. Every batch statement is set-based: the rows travel as one text[]
 * per column (`unnest($n::text[])`) and are cast to each column's own type in SQL, so one
 * statement writes a whole batch and its text depends only on which columns it touches — a job
 * uses a handful, each prepared once per session. Columns are identified by their position in the
 * shape, so no name from input ever reaches SQL.
 */
export class PgStatements {
  readonly markerGet: PgStatement;
  readonly markerPut: PgStatement;
  /** The text of the job's first marker with changes (batch-marker.ts `writtenRowsOfMarker`); the LIKE skips markers without changes unparsed. */
  readonly firstWritten: PgStatement;
  /** Whether the job has any batch marker (batch-marker.ts `markersGone`). */
  readonly markerAny: PgStatement;
  /** Claims keys for the job; returns the keys claimed (the others were claimed before). */
  readonly claim: PgStatement;
  /** Whether the job has claimed any key yet. */
  readonly anyClaim: PgStatement;
  readonly claimedRows: PgStatement;
  readonly release: PgStatement;
  readonly finish: PgStatement;
  /**
   * Drops the row changes a finished job's markers kept (they are in its backup.ndjson by then); the
   * LIKE only skips markers without any. Not those holding `\u0000`, which jsonb (any json function)
   * refuses: a changed row's values may hold one, and every finish of such a job failed; they are
   * `markersWithNul`, stripped in JavaScript.
   */
  readonly stripChanges: PgStatement;
  /** The job's markers with changes that hold `\u0000` (batch, output), which `stripChanges` leaves. */
  readonly markersWithNul: PgStatement;
  /** Replaces a marker's text. */
  readonly markerSet: PgStatement;
  private readonly cache = new Map<string, PgStatement>();

  constructor(private readonly shape: PgShape) {
    const { batches, keys } = bookkeeping(shape.schema);
    this.markerGet = statement(`SELECT output FROM ${batches} WHERE job = $1 AND batch = $2`);
    this.markerPut = statement(`INSERT INTO ${batches} (job, batch, output) VALUES ($1, $2, $3)`);
    this.markerAny = statement(`SELECT 1 FROM ${batches} WHERE job = $1 LIMIT 1`);
    this.firstWritten = statement(`SELECT output FROM ${batches} WHERE job = $1 AND output LIKE '%"changes":[{%' ORDER BY batch LIMIT 1`);
    this.claim = statement(
      `INSERT INTO ${keys} (job, key, "row") SELECT $1::int8, k, r FROM unnest($2::uuid[], $3::int8[]) AS u(k, r) ON CONFLICT DO NOTHING RETURNING key::text`,
    );
    this.anyClaim = statement(`SELECT 1 FROM ${keys} WHERE job = $1::int8 LIMIT 1`);
    this.claimedRows = statement(`SELECT key::text, "row" FROM ${keys} WHERE job = $1::int8 AND key = ANY($2::uuid[])`);
    this.release = statement(`DELETE FROM ${keys} WHERE job = $1::int8 AND key = ANY($2::uuid[])`);
    this.finish = statement(`DELETE FROM ${keys} WHERE job = $1::int8`);
    const withChanges = `job = $1 AND output LIKE '%"changes":[{%'`;
    // LIKE's escape is the backslash: '%\\u0000%' is the six characters \u0000.
    this.stripChanges = statement(`UPDATE ${batches} SET output = (output::jsonb - 'changes')::text WHERE ${withChanges} AND output NOT LIKE '%\\\\u0000%'`);
    this.markersWithNul = statement(`SELECT batch, output FROM ${batches} WHERE ${withChanges} AND output LIKE '%\\\\u0000%'`);
    this.markerSet = statement(`UPDATE ${batches} SET output = $3 WHERE job = $1 AND batch = $2`);
  }

  /**
   * Which of the rows (`$1` ordinals, then one array per key column) match an existing row: `[i]`,
   * or with `id` (a column position) `[i, that column of one matching row, as text]`.
   */
  exists(key: readonly number[], id?: number): PgStatement {
    return this.cached(`e:${key.join(',')}:${id ?? ''}`, () => {
      const from = this.unnest(['int4', ...key.map(() => 'text')], ['i', ...key.map((_, n) => `k${n}`)]);
      const select = id === undefined ? 'DISTINCT u.i' : `DISTINCT ON (u.i) u.i, t.${this.name(id)}::text`;
      return `SELECT ${select} FROM ${from} JOIN ${this.shape.qualified} AS t ON ${this.keyPredicate(key)}`;
    });
  }

  /**
   * The rows matching each key, locked until commit (an upsert reads, merges and writes them):
   * `[i, ctid, ...json columns' values, ...whether each compared column already holds the new
   * value]`. The server compares the scalar values in their own types, so `1.0` and `1`, or two
   * spellings of one instant, are the same value; JSON is compared by the caller after merging.
   * Locked in physical (ctid) order, one order for every writer, so two batches locking some of the
   * same users wait for each other instead of deadlocking.
   */
  find(key: readonly number[], json: readonly number[], compare: readonly number[], read: readonly number[] = []): PgStatement {
    return this.cached(`f:${key.join(',')}:${json.join(',')}:${compare.join(',')}:${read.join(',')}`, () => {
      const names = ['i', ...key.map((_, n) => `k${n}`), ...compare.map((_, n) => `v${n}`)];
      const from = this.unnest(['int4', ...key.map(() => 'text'), ...compare.map(() => 'text')], names);
      const select = [
        'u.i',
        this.address(),
        ...json.map((c) => `t.${this.name(c)}`),
        ...compare.map((c, n) => this.same(`t.${this.name(c)}`, `u.v${n}::${this.shape.compareTypes[c] ?? 'text'}`, c)),
        ...read.map((c) => `t.${this.name(c)}`),
      ];
      return `SELECT ${select.join(', ')} FROM ${from} JOIN ${this.shape.qualified} AS t ON ${this.keyPredicate(key)} ORDER BY ${this.physicalOrder()} FOR UPDATE OF t`;
    });
  }

  /**
   * Sets `columns` of the rows at `$1` (ctids) where each row's flag says so; a row keeps the stored
   * value of every other column. With `returning`, each updated row comes back as its old ctid
   * followed by the `returning` columns (see `returning`).
   */
  update(columns: readonly number[], returning?: Returning): PgStatement {
    return this.cached(`u:${columns.join(',')}:${returningId(returning)}`, () => {
      const names = ['tid', ...columns.flatMap((_, n) => [`f${n}`, `v${n}`])];
      const from = this.unnest([this.addressType(), ...columns.flatMap(() => ['bool', 'text'])], names);
      const set = columns.map((c, n) => `${this.name(c)} = CASE WHEN u.f${n} THEN ${this.cast(`u.v${n}`, c)} ELSE t.${this.name(c)} END`);
      const back = returning === undefined ? '' : ` RETURNING u.tid::text, ${this.returning(returning)}`;
      return `UPDATE ${this.shape.qualified} AS t SET ${set.join(', ')} FROM ${from} WHERE ${this.at('u.tid')}${back}`;
    });
  }

  /**
   * Inserts one row per array element, in order; columns left out get their defaults. With
   * `returning`, the inserted rows come back in the same order (as INSERT … SELECT returns them).
   * `overriding` writes GENERATED ALWAYS identity columns too (a restored row keeps its id).
   */
  insert(columns: readonly number[], returning?: Returning, overriding = false): PgStatement {
    return this.cached(`i:${columns.join(',')}:${returningId(returning)}:${overriding}`, () => {
      const from = this.unnest(
        columns.map(() => 'text'),
        columns.map((_, n) => `v${n}`),
      );
      const values = columns.map((c, n) => this.cast(`u.v${n}`, c));
      const into = `${this.shape.qualified} AS t (${columns.map((c) => this.name(c)).join(', ')})${overriding ? ' OVERRIDING SYSTEM VALUE' : ''}`;
      const back = returning === undefined ? '' : ` RETURNING ${this.returning(returning)}`;
      return `INSERT INTO ${into} SELECT ${values.join(', ')} FROM ${from}${back}`;
    });
  }

  /** The whole rows at `$1` (ctids), as `[ctid, ...every column]`: an update's before-images. */
  rowsAt(): PgStatement {
    return this.cached(
      'r',
      () =>
        `SELECT u.tid::text, ${this.allColumns()} FROM unnest($1::${this.addressType()}[]) AS u(tid) JOIN ${this.shape.qualified} AS t ON ${this.at('u.tid')}`,
    );
  }

  /** The rows matching each key (`$1` ordinals, then one array per key column), locked: `[i, ctid, hash]`. A restore's lookup. */
  locate(key: readonly number[]): PgStatement {
    return this.cached(`l:${key.join(',')}`, () => {
      const from = this.unnest(['int4', ...key.map(() => 'text')], ['i', ...key.map((_, n) => `k${n}`)]);
      return `SELECT u.i, ${this.address()}, ${rowHash} FROM ${from} JOIN ${this.shape.qualified} AS t ON ${this.keyPredicate(key)} ORDER BY ${this.physicalOrder()} FOR UPDATE OF t`;
    });
  }

  /** The rows matching each key (`$1` ordinals, then one array per key column): `[i, hash]`. What a trigger left of the written rows. */
  hashes(key: readonly number[]): PgStatement {
    return this.cached(`h:${key.join(',')}`, () => {
      const from = this.unnest(['int4', ...key.map(() => 'text')], ['i', ...key.map((_, n) => `k${n}`)]);
      return `SELECT u.i, ${rowHash} FROM ${from} JOIN ${this.shape.qualified} AS t ON ${this.keyPredicate(key)}`;
    });
  }

  /** Deletes the rows at `$1` (ctids). */
  deleteAt(): PgStatement {
    return this.cached('d', () =>
      this.shape.inherited
        ? `DELETE FROM ${this.shape.qualified} AS t USING unnest($1::text[]) AS u(tid) WHERE ${this.at('u.tid')}`
        : `DELETE FROM ${this.shape.qualified} AS t WHERE t.ctid = ANY($1::tid[])`,
    );
  }

  /**
   * Assigns one value to one column, to learn whether that value is the one the server refused:
   * the caller runs it in a savepoint it always rolls back. An INSERT, not a SELECT of a cast,
   * because only assignment checks length limits and domains the way the failed statement did.
   */
  probe(column: number): PgStatement {
    return this.cached(`p:${column}`, () => `INSERT INTO ${this.shape.qualified} (${this.name(column)}) VALUES (${this.cast('$1::text', column)})`);
  }

  /**
   * How many different keys the rows (`$1…`, one array per key column) hold, as the key lookup
   * compares them (`keyPredicate`): each value as the column's type, under the column's collation.
   */
  distinctKeys(key: readonly number[]): PgStatement {
    return this.cached(`k:${key.join(',')}`, () => {
      const from = this.unnest(
        key.map(() => 'text'),
        key.map((_, n) => `k${n}`),
      );
      const values = key.map((c, n) => {
        if (this.caseless(c)) return `lower(u.k${n})`;
        const collation = this.shape.collations[c] ?? '';
        return collation === '' ? this.cast(`u.k${n}`, c) : `${this.cast(`u.k${n}`, c)} COLLATE ${collation}`;
      });
      return `SELECT count(*)::int FROM (SELECT DISTINCT ${values.join(', ')} FROM ${from}) AS d`;
    });
  }

  /**
   * Whether a stored value already equals a new one. Text compares byte for byte (as text, in
   * "C"): `=` on citext or under a nondeterministic collation finds `Bob` equal to `bob`, and the
   * new spelling would never be written. Padding a char(n) drops stays ignored (its text has none).
   * A box's `=` compares areas: a new box of the same area was counted unchanged and never written.
   */
  private same(stored: string, value: string, column: number): string {
    // A type with no `=` of its own (point, xml, a composite…) by its text too (PgShape textEquality).
    if (!this.shape.collatable.has(column) && !this.shape.textEquality.has(column)) return `${stored} IS NOT DISTINCT FROM ${value}`;
    return `(${stored})::text COLLATE "C" IS NOT DISTINCT FROM (${value})::text COLLATE "C"`;
  }

  /** A key column named email on a table other than the built-in one: compared with lower() on both sides. */
  caseless(column: number): boolean {
    return this.shape.columns[column]?.name === 'email' && !this.shape.usersTable;
  }

  /** A written row's hash, then its key columns, then (with `image`) every column. */
  private returning({ key, image }: Returning): string {
    const keys = key.map((c) => `t.${this.name(c)}`);
    return [rowHash, ...keys, ...(image ? [this.allColumns()] : [])].join(', ');
  }

  private allColumns(): string {
    return this.shape.columns.map((_, c) => `t.${this.name(c)}`).join(', ');
  }

  private cached(id: string, text: () => string): PgStatement {
    let found = this.cache.get(id);
    if (found === undefined) {
      found = statement(text());
      this.cache.set(id, found);
    }
    return found;
  }

  /**
   * A stored row's address, as text, which the statements below take back to find it again: its
   * ctid, and on a partitioned table (or one with inheritance children) also its own table's oid
   * (`16390/(0,1)`), since a ctid names a row only within one table. By ctid alone, an upsert's
   * UPDATE set the row at (0,1) of every partition, and a rollback's DELETE deleted each of them.
   */
  private address(): string {
    return this.shape.inherited ? `t.tableoid::text || '/' || t.ctid::text` : 't.ctid::text';
  }

  /** The SQL type of an address (`address`) in a parameter array. */
  private addressType(): string {
    return this.shape.inherited ? 'text' : 'tid';
  }

  /** The predicate finding the row at the address `value` (`address`). */
  private at(value: string): string {
    return this.shape.inherited ? `t.tableoid = split_part(${value}, '/', 1)::oid AND t.ctid = split_part(${value}, '/', 2)::tid` : `t.ctid = ${value}`;
  }

  /** Rows in physical order, one order for every writer: they lock rows in it. */
  private physicalOrder(): string {
    return this.shape.inherited ? 't.tableoid, t.ctid' : 't.ctid';
  }

  /** `unnest($1::a[], $2::b[], …) AS u(names)`: the rows of a batch as a relation. */
  private unnest(types: readonly string[], names: readonly string[]): string {
    return `unnest(${types.map((t, n) => `$${n + 1}::${t}[]`).join(', ')}) AS u(${names.join(', ')})`;
  }

  /**
   * The key match. A column named email compares case-insensitively: the built-in table stores it
   * lower-case (so its unique index serves the match), any other table as given (lower() both sides).
   */
  private keyPredicate(key: readonly number[]): string {
    return key
      .map((c, n) => {
        return this.caseless(c) ? `lower(t.${this.name(c)}::text) = lower(u.k${n})` : `t.${this.name(c)} = ${this.cast(`u.k${n}`, c)}`;
      })
      .join(' AND ');
  }

  /** A text operand as the column's base type, as the catalog spells it (see PgShape.castTypes). */
  private cast(operand: string, column: number): string {
    return `${operand}::${this.shape.castTypes[column] ?? 'text'}`;
  }

  private name(position: number): string {
    const column = this.shape.columns[position];
    if (column === undefined) throw new Error(`no column at position ${position} of ${this.shape.table}`);
    return quoteIdentifier(column.name);
  }
}

/** What a write returns of each row it wrote: its hash and key columns, and with `image` the whole row. */
export interface Returning {
  key: readonly number[];
  image: boolean;
}

function returningId(returning: Returning | undefined): string {
  return returning === undefined ? '' : `${returning.key.join(',')}${returning.image ? '+' : ''}`;
}

/**
 * A stored row's hash: the first 128 bits of SHA-256 over the row's text (every column, as the server
 * prints it), computed by the server — as long as SQLite's, and as unlikely to collide by chance.
 * Written rows record it and a rollback compares it: any change to any column since changes the
 * hash. Sessions all run in UTC, so timestamps print the same at write and at rollback.
 */
const rowHash = "left(encode(sha256(textsend(t::text)), 'hex'), 32)";

/** Named after a hash of its text: one name, one text, whichever table or job prepared it first. */
function statement(text: string): PgStatement {
  return { name: `ferry_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`, text };
}
