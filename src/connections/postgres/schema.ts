import type { ClientBase } from 'pg';
import { ConnectionError, MISSING_TABLE, missingTable } from '../errors.js';
import { transaction } from './sessions.js';
import { quoteIdentifier } from '../sql-identifiers.js';
import { filledByFerry, type TableColumns } from '../table-shape.js';
import type { ColumnType, TableUse } from '../types.js';
import { isUsersTable, usersTableDdl, type UsersTableDialect } from '../users-table.js';
import type { QueryColumn } from '../../query/resolve-field.js';

/** What the writer needs to know about the target table, read once per job from the catalog. */
export interface PgShape extends TableColumns {
  /** `"schema"."name"`, resolved: safe to splice into SQL. */
  qualified: string;
  /** `schema.name` unquoted, as src/query/keyset.ts takes a PostgreSQL table (it quotes each part). */
  readName: string;
  /** The schema holding the table and Ferry's bookkeeping tables, quoted. */
  schema: string;
  /** The same, unquoted (`ensureBookkeeping`). */
  schemaName: string;
  /**
   * Per column (same positions as `columns`): the type values are cast to before they are assigned —
   * the base type without its modifier (`character varying`, not `(20)`; a domain's base type), because
   * an explicit cast to `varchar(20)` truncates silently where assigning to the column raises an error.
   * The assignment then applies the modifier and the domain's checks, as a plain INSERT would.
   */
  castTypes: string[];
  /**
   * Per column: the type a new value is compared in to tell whether the stored one would change. It
   * keeps the modifier where assigning rounds instead of failing (`numeric(5,2)`, `timestamp(0)`):
   * 1.239 is stored as 1.24, so it is unchanged against 1.24, not an update on every run.
   */
  compareTypes: string[];
  /** Per column: the base type name (`int4`, `jsonb`, a domain's base type), for the encoder's range and NUL rules. */
  baseTypes: string[];
  /** Unique index, check, foreign-key and exclusion constraint names → their columns ('' for an expression), to name the column of a violation. */
  constraints: Map<string, string[]>;
  /** Positions of columns in any unique index or exclusion constraint: an update of one can collide with another row. */
  uniqueColumns: Set<number>;
  /**
   * Column positions of each unique index that covers whole rows (no expression, no predicate) and
   * is checked row by row (not deferred to commit): two rows equal on one of these cannot both be
   * stored, so a concurrent writer of the same key fails at its insert.
   */
  uniqueKeys: number[][];
  /** Positions of columns whose absence means their DEFAULT (not NULL) on insert. */
  defaulted: Set<number>;
  /** Positions of GENERATED ALWAYS AS (…) STORED columns: the server computes them, nothing may assign them. */
  computed: Set<number>;
  /** Positions of GENERATED ALWAYS AS IDENTITY columns: assigned only by an INSERT … OVERRIDING SYSTEM VALUE. */
  identityAlways: Set<number>;
  /**
   * Positions of columns whose base type has a collation (text, varchar, char, citext, their arrays):
   * an upsert tells a change of these by their bytes, not by `=`, under which citext or a
   * nondeterministic collation finds `Bob` equal to `bob` and would keep the old spelling.
   */
  collatable: Set<number>;
  /**
   * Per column: the column's own collation (quoted, `"public"."ci"`) where it is not its type's
   * default, so an expression over a key value compares as the column does; '' otherwise.
   */
  collations: string[];
  /**
   * Positions of columns whose equality is the equality of their encoded text (values.ts): integers
   * (encoded in one spelling), booleans, and text, varchar and name under a deterministic collation.
   * Two keys that differ as encoded text may still be one key as stored in any other column
   * (citext, a nondeterministic collation, uuid, numeric, timestamps, char padding): only the server tells.
   */
  exactEquality: Set<number>;
  /**
   * Positions of columns whose values have no equality of their own (no default btree operator class:
   * point, box, xml, a composite type, json[]…, or an array of them): an upsert tells a change by
   * their text. `IS NOT DISTINCT FROM` failed the whole batch on a point ("operator does not exist"),
   * and on a box compared areas, so a new box of the same area was kept out as unchanged.
   */
  textEquality: Set<number>;
  /** Of those, the ones that are no composite type (whose `=` compares field by field): no key can be matched by them. */
  noEquality: Set<number>;
  /**
   * The table has triggers or rules of its own (enabled): a row the writer's statement returned may
   * be deleted, re-keyed or changed by an AFTER trigger (or a rule) before the batch commits.
   */
  rewritten: boolean;
  /**
   * Row-level security is enabled on the table (pg_class.relrowsecurity): a policy's WITH CHECK may
   * refuse one row (42501, as a CHECK would with 23514), and its USING may hide a stored row.
   */
  rowSecurity: boolean;
  /**
   * The table is partitioned or has inheritance children: its rows live in several tables, where
   * a ctid alone may name one row of each (sql.ts `address`).
   */
  inherited: boolean;
}

/** The configured `table` option split into schema and name; `crm.app_users` or `app_users`. */
export function splitTableName(table: string): { schema?: string; name: string } {
  const dot = table.indexOf('.');
  return dot < 0 ? { name: table } : { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}

/**
 * SQL types of the built-in table. JSONB: indexable and queryable by path; timestamptz: instants,
 * whatever the session's time zone; bigint: SQLite's INTEGER is 64-bit too. user_id, email and
 * username collate as "C": their unique indexes compare bytes instead of calling the locale's
 * strcoll (cheaper on every insert and lookup), equality is the same, and they sort in byte
 * order — as in SQLite, so an export sorted by email comes out the same from either store.
 */
export const postgresUsersTableDialect: UsersTableDialect = {
  types: { text: 'text', integer: 'bigint', real: 'double precision', boolean: 'boolean', json: 'jsonb', timestamp: 'timestamptz' },
  uniqueCollation: '"C"',
  timestampSort: (column) => column,
};

/**
 * Resolves the table (search_path for an unqualified name, as any SQL would), creating the built-in
 * users table first when it does not exist, and the bookkeeping tables next to it (to write only); then reads its shape.
 */
export async function loadShape(client: ClientBase, table: string, use: TableUse = 'write'): Promise<PgShape> {
  let found = await resolveTable(client, table);
  if (found === undefined) {
    if (use === 'read') throw missingTable(table, 'the PostgreSQL database (on its search_path)');
    await refuseCaseVariant(client, table);
    await createUsersTable(client, table);
    found = await resolveTable(client, table);
    if (found === undefined) throw new ConnectionError(`table ${table} could not be created`, { retryable: false });
  }
  // A table only read (a source, a rollback's check) needs no markers: a user who may only read it
  // (SELECT, no CREATE in its schema) could not export while its bookkeeping was made first.
  // A rollback, which writes markers, opens its table to read too: its first batch makes them (write.ts).
  if (use === 'write') await ensureBookkeeping(client, found.schema);
  return readShape(client, table, found);
}

/** Bookkeeping table names in a (quoted) schema. */
export function bookkeeping(schema: string): { batches: string; keys: string } {
  return { batches: `${schema}.ferry_batches`, keys: `${schema}.ferry_job_keys` };
}

interface ResolvedTable {
  oid: number;
  schema: string;
  name: string;
}

async function resolveTable(client: ClientBase, table: string): Promise<ResolvedTable | undefined> {
  const { schema, name } = splitTableName(table);
  const regclass = schema === undefined ? quoteIdentifier(name) : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
  // to_regclass takes the name as a parameter: NULL when absent, never an error or an injection.
  const { rows } = await client.query<{ oid: number; schema: string; name: string; kind: string }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
    [regclass],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.kind !== 'r' && row.kind !== 'p')
    throw new ConnectionError(`${table} is not a table (relkind ${row.kind}). Hint: check the connection's table in ferry.yaml`, { retryable: false });
  return { oid: Number(row.oid), schema: row.schema, name: row.name };
}

/**
 * A table to create whose name differs only in case from one the schema holds (or, unqualified,
 * one on the search_path): the name is taken as written, as a quoted name in SQL, while the table
 * meant was most likely made by unquoted SQL, which PostgreSQL folds to lower case (`CREATE TABLE
 * Users` makes `users`). Created, the built-in table took the import beside the table meant.
 */
async function refuseCaseVariant(client: ClientBase, table: string): Promise<void> {
  const { schema, name } = splitTableName(table);
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE lower(c.relname) = lower($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND CASE WHEN $2::text IS NULL THEN n.nspname = ANY (current_schemas(false)) ELSE lower(n.nspname) = lower($2::text) END
      ORDER BY array_position(current_schemas(false), n.nspname), n.nspname, c.relname LIMIT 1`,
    [name, schema ?? null],
  );
  const found = rows[0];
  if (found === undefined) return;
  throw new ConnectionError(
    `table ${table} does not exist, but ${found.schema}.${found.name} does: a table name in ferry.yaml is taken as written, case included, and one that names no table is created as the built-in users table, ` +
      'which would have taken the rows beside that table. Nothing was created. ' +
      `Hint: set the connection's table to ${schema === undefined ? '' : `${found.schema}.`}${found.name}`,
    // The code of a missing table: validate says it at the pipeline's connection, as for a source's.
    { retryable: false, code: MISSING_TABLE },
  );
}

/**
 * The built-in table, in the named schema or the session's current one. An advisory lock makes
 * two processes creating it at once take turns (CREATE … IF NOT EXISTS alone can still collide
 * in the catalog).
 */
async function createUsersTable(client: ClientBase, table: string): Promise<void> {
  const { schema, name } = splitTableName(table);
  await transaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ferry:create:${table}`]);
    for (const sql of usersTableDdl(name, postgresUsersTableDialect, schema)) await client.query(sql);
  });
}

/** Rows and markers of a batch commit together, so the bookkeeping lives in the target's database and schema. */
export async function ensureBookkeeping(client: ClientBase, schemaName: string): Promise<void> {
  const { batches, keys } = bookkeeping(quoteIdentifier(schemaName));
  const { rows } = await client.query<{ n: string; narrow: boolean | null }>(
    `SELECT count(DISTINCT c.oid) AS n, bool_or(a.atttypid = 'int4'::regtype) AS narrow
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'batch' AND c.relname = 'ferry_batches'
      WHERE n.nspname = $1 AND c.relname IN ('ferry_batches', 'ferry_job_keys')`,
    [schemaName],
  );
  if (rows[0]?.n === '2' && rows[0].narrow !== true) return;
  await transaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ferry:bookkeeping:${schemaName}`]);
    // job COLLATE "C": compared for equality only, so the index need not pay for the locale's collation.
    // batch bigint: a chunk's marker id is batch × 1024 + chunk, which passes 2^31 past two million batches.
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${batches} (job text COLLATE "C" NOT NULL, batch bigint NOT NULL, output text NOT NULL, PRIMARY KEY (job, batch))`,
    );
    // Digests, not text (see postgres/rows.ts jobHash and keyDigest): a claim row is written for every imported row.
    await client.query(`CREATE TABLE IF NOT EXISTS ${keys} (job bigint NOT NULL, key uuid NOT NULL, "row" bigint NOT NULL, PRIMARY KEY (job, key))`);
    // Stores made before the column was widened.
    if (rows[0]?.narrow === true) await client.query(`ALTER TABLE ${batches} ALTER COLUMN batch TYPE bigint`);
  });
}

interface CatalogColumn {
  attnum: number;
  name: string;
  cast_type: string;
  /** The base type with the column's (or its domain's) modifier: `numeric(5,2)`. */
  stored_type: string;
  base_type: string;
  /**
   * An array's element type (its base type, for an array of a domain), null for any other column:
   * a query compares an array's elements (int2vector and oidvector are no array of their element's).
   */
  element_type: string | null;
  /** The base type has a collation (text, varchar, char, citext): text comparisons may take COLLATE. */
  collatable: boolean;
  /**
   * The type a value is compared as (an array's element type, a domain's base type) has a default
   * btree operator class, so `=` and `<` are a real equality and order; false for point, box, xml,
   * json, a composite type… (a composite's `=` needs one for each of its fields).
   */
  ordered: boolean;
  /** That type is a composite type. */
  composite: boolean;
  /** That type as SQL (`point`, `public.address`): what a query casts a value to. */
  compared_type: string;
  /** The column's declared type as SQL (`point[]`), for messages. */
  declared_type: string;
  not_null: boolean;
  has_default: boolean;
  computed: boolean;
  identity_always: boolean;
  /** The column's collation, quoted, where it is not its type's own; null otherwise. */
  collation: string | null;
  /** False under a nondeterministic collation (`=` may find two different strings equal). */
  deterministic: boolean;
}

interface CatalogConstraint {
  name: string;
  kind: 'p' | 'u' | 'c' | 'f' | 'x';
  partial: boolean;
  /** A unique index checked at commit, not at each row (DEFERRABLE). */
  deferred: boolean;
  /** Key columns by attnum; 0 for an expression. */
  columns: number[];
  /** Every column an expression or predicate refers to (from pg_depend). */
  referenced: number[];
}

async function readShape(client: ClientBase, table: string, found: ResolvedTable): Promise<PgShape> {
  const catalog = await readColumns(client, found.oid);
  const constraints = await readConstraints(client, found.oid);
  const { rows: rewrites } = await client.query<{ rewritten: boolean; row_security: boolean; inherited: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal AND tgenabled <> 'D')
         OR EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = $1 AND ev_type <> '1' AND ev_enabled <> 'D') AS rewritten,
       (SELECT relrowsecurity FROM pg_class WHERE oid = $1) AS row_security,
       (SELECT relkind = 'p' FROM pg_class WHERE oid = $1) OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = $1) AS inherited`,
    [found.oid],
  );
  const byAttnum = new Map(catalog.map((c, i) => [c.attnum, i]));
  const usersTable = isUsersTable(catalog.map((c) => c.name));
  const columns = catalog.map((c): QueryColumn => toColumnInfo(c, constraints, usersTable));
  const nameOf = (attnum: number) => (attnum === 0 ? '' : (catalog[byAttnum.get(attnum) ?? -1]?.name ?? ''));
  const uniqueColumns = new Set(
    constraints
      .filter((c) => c.kind === 'p' || c.kind === 'u' || c.kind === 'x')
      .flatMap((c) => [...c.columns, ...c.referenced])
      .map((attnum) => byAttnum.get(attnum))
      .filter((p): p is number => p !== undefined),
  );
  const uniqueKeys = constraints
    .filter((c) => (c.kind === 'p' || c.kind === 'u') && !c.partial && !c.deferred && !c.columns.includes(0))
    .map((c) => c.columns.map((attnum) => byAttnum.get(attnum) ?? -1));
  return {
    table,
    qualified: `${quoteIdentifier(found.schema)}.${quoteIdentifier(found.name)}`,
    readName: `${found.schema}.${found.name}`,
    schema: quoteIdentifier(found.schema),
    schemaName: found.schema,
    columns,
    position: new Map(columns.map((c, i) => [c.name, i])),
    usersTable,
    castTypes: catalog.map((c) => c.cast_type),
    compareTypes: catalog.map((c) => (ROUNDED_ON_ASSIGNMENT.has(c.base_type) ? c.stored_type : c.cast_type)),
    baseTypes: catalog.map((c) => c.base_type),
    constraints: new Map(constraints.map((c) => [c.name, c.columns.map(nameOf)])),
    uniqueColumns,
    uniqueKeys,
    defaulted: positionsWhere(catalog, (c) => c.has_default),
    computed: positionsWhere(catalog, (c) => c.computed),
    identityAlways: positionsWhere(catalog, (c) => c.identity_always),
    collatable: positionsWhere(catalog, (c) => c.collatable),
    collations: catalog.map((c) => c.collation ?? ''),
    exactEquality: positionsWhere(catalog, (c) => EXACT_EQUALITY.has(c.base_type) && c.deterministic),
    textEquality: positionsWhere(catalog, (c) => !c.ordered),
    noEquality: positionsWhere(catalog, (c) => !c.ordered && !c.composite),
    rewritten: rewrites[0]?.rewritten === true,
    rowSecurity: rewrites[0]?.row_security === true,
    inherited: rewrites[0]?.inherited === true,
  };
}

function positionsWhere(catalog: readonly CatalogColumn[], test: (c: CatalogColumn) => boolean): Set<number> {
  return new Set(catalog.flatMap((c, i) => (test(c) ? [i] : [])));
}

/** Base types whose `=` is the equality of their text as values.ts encodes it (under a deterministic collation). */
const EXACT_EQUALITY: ReadonlySet<string> = new Set(['int2', 'int4', 'int8', 'bool', 'text', 'varchar', 'name']);

/** Base types whose modifier rounds an assigned value (scale, fractional seconds) rather than refusing it. */
const ROUNDED_ON_ASSIGNMENT: ReadonlySet<string> = new Set(['numeric', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval']);

async function readColumns(client: ClientBase, oid: number): Promise<CatalogColumn[]> {
  // Domains are typed by their base type; identity and generated columns count as defaulted.
  // A cast type has no modifier, and the bare names of char(n) and bit(n) mean char(1) and bit(1):
  // an explicit cast to `character` cut 'abcdefg' to 'a' without a word, which a char(5) column then
  // stored padded, so they are cast to their unbounded forms (bpchar, varbit) and assignment checks the length.
  const { rows } = await client.query<CatalogColumn>(
    `SELECT a.attnum::int AS attnum, a.attname AS name,
            CASE WHEN b.typnamespace = 'pg_catalog'::regnamespace AND b.typname IN ('bit', '_bit') THEN format_type(CASE b.typname WHEN 'bit' THEN 'varbit'::regtype ELSE 'varbit[]'::regtype END, NULL)
                 WHEN b.typnamespace = 'pg_catalog'::regnamespace AND b.typname IN ('bpchar', '_bpchar') THEN CASE b.typname WHEN 'bpchar' THEN 'bpchar' ELSE 'bpchar[]' END
                 ELSE format_type(b.oid, NULL) END AS cast_type,
            format_type(b.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS stored_type,
            b.typname AS base_type, b.typcollation <> 0 AS collatable,
            el.typname AS element_type, a.attnotnull AS not_null,
            EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                     WHERE am.amname = 'btree' AND oc.opcdefault
                       AND (oc.opcintype = cmp.oid
                            OR oc.opcintype = CASE cmp.typtype WHEN 'e' THEN 'anyenum'::regtype WHEN 'r' THEN 'anyrange'::regtype WHEN 'm' THEN to_regtype('anymultirange') END
                            OR EXISTS (SELECT 1 FROM pg_cast ca WHERE ca.castsource = cmp.oid AND ca.casttarget = oc.opcintype AND ca.castmethod = 'b' AND ca.castcontext = 'i'))) AS ordered,
            cmp.typtype = 'c' AS composite, format_type(cmp.oid, NULL) AS compared_type, format_type(a.atttypid, NULL) AS declared_type,
            (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default,
            a.attgenerated = 's' AS computed, a.attidentity = 'a' AS identity_always,
            CASE WHEN a.attcollation <> b.typcollation AND co.oid IS NOT NULL THEN format('%I.%I', cn.nspname, co.collname) END AS collation,
            COALESCE(co.collisdeterministic, true) AS deterministic
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN LATERAL (SELECT eb.oid, eb.typname FROM pg_type e JOIN pg_type eb ON eb.oid = CASE WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END
                           WHERE e.typarray = b.oid LIMIT 1) el ON true
       JOIN pg_type cmp ON cmp.oid = COALESCE(el.oid, b.oid)
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  return rows;
}

async function readConstraints(client: ClientBase, oid: number): Promise<CatalogConstraint[]> {
  // Unique indexes (with or without a constraint) by index name — the name a violation reports —
  // and check, foreign-key and exclusion constraints by constraint name.
  const { rows } = await client.query<CatalogConstraint>(
    `SELECT ic.relname AS name, CASE WHEN i.indisprimary THEN 'p' ELSE 'u' END AS kind, i.indpred IS NOT NULL AS partial, NOT i.indimmediate AS deferred,
            ARRAY(SELECT k FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(k, n) WHERE n <= i.indnkeyatts ORDER BY n)::int[] AS columns,
            ARRAY(SELECT d.refobjsubid FROM pg_depend d
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refobjid = i.indrelid AND d.refobjsubid > 0)::int[] AS referenced
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1 AND i.indisunique
     UNION ALL
     SELECT conname, contype::text, false, condeferrable, conkey::int[], conkey::int[]
       FROM pg_constraint WHERE conrelid = $1 AND contype IN ('c', 'f', 'x')`,
    [oid],
  );
  return rows;
}

function toColumnInfo(c: CatalogColumn, constraints: CatalogConstraint[], usersTable: boolean): QueryColumn {
  const type = columnTypeOf(c.base_type);
  const primary = constraints.find((k) => k.kind === 'p');
  const singleUnique = constraints.some((k) => (k.kind === 'u' || k.kind === 'p') && !k.partial && k.columns.length === 1 && k.columns[0] === c.attnum);
  return {
    name: c.name,
    type,
    nullable: !c.not_null,
    primaryKey: primary?.columns.includes(c.attnum) ?? false,
    unique: singleUnique,
    hasDefault: c.has_default || filledByFerry(c.name, type, usersTable),
    ...(type === 'text' && !c.collatable ? { collatable: false as const } : {}),
    ...(c.element_type === null ? {} : { arrayOf: columnTypeOf(c.element_type) }),
    // JSON (json, json[]) is compared as jsonb by a query, whatever its own type.
    ...(c.ordered || (c.element_type ?? c.base_type) === 'json' ? {} : { unordered: { compareAs: c.compared_type, declared: c.declared_type } }),
  };
}

/** PostgreSQL base type name → logical type. Anything else (uuid, enums, inet…) is text: the server parses it. */
export function columnTypeOf(baseType: string): ColumnType {
  switch (baseType) {
    case 'int2':
    case 'int4':
    case 'int8':
      return 'integer';
    case 'float4':
    case 'float8':
    case 'numeric':
      return 'real';
    case 'bool':
      return 'boolean';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'timestamp':
    case 'timestamptz':
    case 'date':
      return 'timestamp';
    default:
      return 'text';
  }
}
