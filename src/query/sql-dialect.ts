import type { ComparisonOperator, ValueType } from './conditions.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The SQL fragments that differ between SQLite and PostgreSQL. Every method receives placeholders
 * already allocated, so values never enter the SQL text; `column` is always a quoted identifier.
 */
export interface SqlDialect {
  /** The placeholder for the parameter at 1-based `position`: `?` or `$n`. */
  placeholder(position: number): string;
  /** The value bound for a comparison of `type` (SQLite has no boolean type: 1/0). */
  bind(type: ValueType, value: string | number | boolean): unknown;
  /**
   * `column operator instant` for a timestamp column, exact to the microsecond; `instant` is a
   * canonical UTC ISO text (QueryInstant `start`), its placeholders allocated left to right.
   */
  compareTimestamp(column: string, operator: ComparisonOperator, instant: string, params: SqlParams): string;
  /** A column as an operand comparable with parameters of `type`. */
  columnOperand(column: string, type: ValueType): string;
  /** A parameter as an operand of `type`, with the cast the dialect needs. */
  paramOperand(placeholder: string, type: ValueType): string;
  /**
   * Case-insensitive match of `operand` against a LIKE pattern whose escape character is `\`.
   * Case-insensitive means the letters A–Z only, in both dialects: SQLite folds no other letter
   * (its LIKE, lower() and NOCASE), and PostgreSQL's ILIKE and lower() fold by the database's
   * locale, so `élo*`, `ΣΑΣ` or `İ` matched other rows on each. Other letters match exactly.
   */
  like(operand: string, placeholder: string): string;
  /**
   * `like` for a list of patterns, one of which matches, where the dialect has such a form: the
   * operand (allocating no placeholder) and the list's placeholder, and the list as it is bound.
   */
  likeAny?: { match(operand: string, placeholder: string): string; bind(patterns: readonly string[]): unknown };
  /** `operand` with A–Z lower-cased and every other character as it is (see `like`). */
  foldCase(operand: string): string;
  /**
   * A text operand compared by `operator` in byte order (UTF-8, code point order), whatever the
   * collation of its column or database: SQLite's BINARY, PostgreSQL's "C". A locale's collation
   * (en_US: a < B < b) put other users in `name:[a TO m]` on PostgreSQL than on SQLite.
   */
  byteOrder(operand: string, operator: ComparisonOperator): string;
  /**
   * `operand` equals the value at `placeholder` for a PostgreSQL type with no `=` of its own (point,
   * xml, a composite…: resolve-field.ts QueryColumn `unordered`): the text the server writes for
   * each, the value cast to `sqlType` first, so `(1, 2)` finds the point stored as `(1,2)`.
   */
  textEquals(operand: string, placeholder: string, sqlType: string): string;
  json: JsonDialect;
  array: ArrayDialect;
}

/**
 * The elements of a PostgreSQL array column (resolve-field.ts `QueryColumn`), every dimension.
 * SQLite has no array type: validate compiles each query for SQLite, which reads such a column as
 * the JSON array that holds the same list there.
 */
export interface ArrayDialect {
  /** One element is not NULL. */
  exists(column: string): string;
  /** `body` holds for one element, given as an operand of the element's type. */
  someElement(column: string, body: (element: string) => string): string;
  /**
   * `operand operator element` for one element, without a subquery (PostgreSQL plans each subquery
   * on its own); `operand` is a parameter operand of the element's type.
   */
  compareAny?(column: string, operand: string, operator: ComparisonOperator): string;
  /** A json[] or jsonb[] as one JSON document, the array of its elements. */
  document(column: string): string;
}

/**
 * A path of keys inside a JSON column, as a JsonDialect method receives it: the keys (checked by
 * resolveField, so they only choose which SQL a dialect writes) and a new placeholder bound to
 * `pathParam(keys)` at each call of `param`, called where the placeholder appears in the SQL.
 */
export interface JsonPath {
  keys: readonly string[];
  param(): string;
}

/**
 * Access to a value inside a JSON column at a path that is itself a parameter. Every key is an
 * object key, in both dialects: `arr.0` is the key "0" of an object, never an array's first element.
 */
export interface JsonDialect {
  /** The parameter value addressing `path` (SQLite: `$."a"."b"`; PostgreSQL: a text[] of keys); an empty path is the whole document. */
  pathParam(path: readonly string[]): unknown;
  /** The value at the path. */
  at(column: string, path: JsonPath): JsonValue;
  /**
   * The value at the path is an array and `body` holds for one of its elements (one level: an
   * array inside it is an element like any other, never looked into).
   */
  someElement(column: string, path: JsonPath, body: (element: JsonValue) => string): string;
  /**
   * `someElement` for an element of `type` for which every comparison holds (each value a
   * `paramOperand`, allocated when called), where the dialect has a form cheaper than a subquery:
   * PostgreSQL plans each subquery on its own, and a query of a thousand JSON values
   * (`user_metadata.id:(a OR b …)`) took 10 s to plan, per page.
   */
  elementCompare?(column: string, path: JsonPath, type: ValueType, comparisons: readonly { operator: ComparisonOperator; value: () => string }[]): string;
  /**
   * The value at the path, or one element of the array there, equals one of `values` (typed JSON
   * equality: 5 is 5.0, never "5"), placeholders allocated left to right; where the dialect has
   * a form that reads the value once for the whole list (see `elementCompare`).
   */
  equalsAny?(column: string, path: JsonPath, values: readonly { type: ValueType; value: string | number | boolean }[], params: SqlParams): string;
  /** `someElement` for an element that is not JSON null, where the dialect has a form cheaper than a subquery (see `elementCompare`). */
  elementExists?(column: string, path: JsonPath): string;
  paramOperand(placeholder: string, type: ValueType): string;
  /**
   * `value operator number` for a JSON number compared exactly, as a decimal, where the dialect's
   * `valueOperand` is a double (SQLite): placeholders allocated left to right. Absent: compared as
   * `valueOperand` with `paramOperand`, which PostgreSQL's jsonb numbers make exact.
   */
  compareNumber?(value: JsonValue, operator: ComparisonOperator, number: number, params: SqlParams): string;
}

/** One JSON value as SQL: the value at a path, or an element of the array there. Each method allocates the path's placeholders when called. */
export interface JsonValue {
  /** The value is there and is not JSON null; at a path, also no array: an array's values are its elements (`someElement`). */
  exists(): string;
  /** The value is a JSON string, number or boolean (for `text`, `number`, `boolean`). */
  typeGuard(type: ValueType): string;
  /** The value, comparable with `paramOperand` of the same type once `typeGuard` holds. */
  valueOperand(): string;
  /** The value as SQL text, for LIKE and text ranges. */
  textOperand(): string;
  /** The value's JSON text, a number's digits as stored (`0.10000000000000000001`): for `compareNumber`. */
  jsonText?(): string;
}

/** Collects bound values in placeholder order; SQL must be built left to right for `$n` to line up. */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}
