import type { ValueType } from './conditions.js';
import type { JsonPath, JsonValue, SqlDialect } from './sql-dialect.js';

const CASTS: Record<ValueType, string> = { text: 'text', number: 'numeric', boolean: 'boolean', timestamp: 'timestamptz' };
const JSON_TYPES: Record<ValueType, string> = { text: 'string', number: 'number', boolean: 'boolean', timestamp: 'string' };

/** A key `#>` takes for an index when the value it steps into is an array. */
const ARRAY_INDEX = /^-?\d+$/;

/**
 * The value at `path` (`#>`, jsonb) or its text (`#>>`); `::jsonb` makes the same SQL work for
 * json, jsonb and text columns holding JSON. `#>` reads a key such as `0` or `-1` as an index into
 * an array, where SQLite's `$."0"` reads only an object's key: `arr.0:1` matched `{"arr": [1]}` on
 * PostgreSQL alone. So each such key steps only into an object (its prefix of the path, a slice of
 * the same parameter), and the path reads the same values on both stores.
 */
function jsonValue(column: string, path: JsonPath, operator: '#>' | '#>>' = '#>'): string {
  const keys = `${path.param()}::text[]`;
  const value = `${column}::jsonb ${operator} ${keys}`;
  const guards = path.keys.flatMap((key, i) => (ARRAY_INDEX.test(key) ? [`jsonb_typeof(${column}::jsonb #> (${keys})[1:${i}]) = 'object'`] : []));
  return guards.length === 0 ? value : `CASE WHEN ${guards.join(' AND ')} THEN ${value} END`;
}

/** An element of the array `someElement` reads: a jsonb value of jsonb_array_elements. */
const ELEMENT: JsonValue = {
  exists: () => `jsonb_typeof("ferry_e"."value") <> 'null'`,
  typeGuard: (type) => `jsonb_typeof("ferry_e"."value") = '${JSON_TYPES[type]}'`,
  valueOperand: () => `"ferry_e"."value"`,
  textOperand: () => `("ferry_e"."value" #>> '{}')`,
};

/** A–Z lower-cased, every other letter kept: what SQLite's lower() does, whatever the database's locale. */
function foldAscii(operand: string): string {
  return `translate(${operand}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/**
 * PostgreSQL: parameters carry explicit casts so their type never depends on inference; JSON
 * values are compared as jsonb (numbers numerically), string ranges as text in byte order.
 */
export const postgresDialect: SqlDialect = {
  placeholder: (position) => `$${position}`,
  bind: (_type, value) => value,
  compareTimestamp: (column, operator, instant, params) => `${column} ${operator} ${params.add(instant)}::timestamptz`,
  columnOperand: (column) => column,
  // Text and boolean parameters take the column's type; numbers and timestamps are cast explicitly.
  paramOperand: (placeholder, type) => (type === 'number' || type === 'timestamp' ? `${placeholder}::${CASTS[type]}` : placeholder),
  // LIKE on both sides folded as SQLite folds (see SqlDialect `like`): ILIKE folds every letter by the locale
  // The operand as text: a uuid, enum or inet column (typed text, see columnTypeOf) has no translate().
  like: (operand, placeholder) => `${foldAscii(`(${operand})::text`)} LIKE ${foldAscii(placeholder)} ESCAPE '\\'`,
  // LIKE's escape character is `\` unless another is given. The patterns are folded as `like` folds one.
  likeAny: {
    match: (operand, placeholder) => `${foldAscii(`(${operand})::text`)} LIKE ANY(${placeholder}::text[])`,
    bind: (patterns) => patterns.map((pattern) => pattern.replace(/[A-Z]/g, (letter) => letter.toLowerCase())),
  },
  foldCase: foldAscii,
  // `=` is byte equality under any deterministic collation, and a COLLATE would keep it off the column's index.
  byteOrder: (operand, operator) => (operator === '=' ? operand : `${operand} COLLATE "C"`),
  // `sqlType` comes from the catalog (format_type), quoted where it needs to be. The parameter takes the
  // type, so the server parses the value at bind: validate's probe reads no row, and a cast in the WHERE
  // (a composite's input is not immutable, so not folded) was never run.
  textEquals: (operand, placeholder, sqlType) => `(${operand})::text COLLATE "C" = (${placeholder}::${sqlType})::text`,
  json: {
    pathParam: (path) => [...path],
    at: (column, path) => ({
      exists: () => `jsonb_typeof(${jsonValue(column, path)}) NOT IN ('null', 'array')`,
      typeGuard: (type) => `jsonb_typeof(${jsonValue(column, path)}) = '${JSON_TYPES[type]}'`,
      valueOperand: () => `(${jsonValue(column, path)})`,
      textOperand: () => `(${jsonValue(column, path, '#>>')})`,
    }),
    someElement: (column, path, body) =>
      `(jsonb_typeof(${jsonValue(column, path)}) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements(${jsonValue(column, path)}) AS "ferry_e"("value") WHERE ${body(ELEMENT)}))`,
    elementCompare: (column, path, type, comparisons) => {
      const array = `jsonb_typeof(${jsonValue(column, path)}) = 'array'`;
      const [first] = comparisons;
      // Containment, one level as `someElement`: `[5.0] @> [5]`, but `[["a"]] @> ["a"]` is false.
      if (comparisons.length === 1 && first?.operator === '=') return `(${array} AND ${jsonValue(column, path)} @> jsonb_build_array(${first.value()}))`;
      // A strict SQL/JSON path: `$[*]` is the array's elements, one level, and nothing is unwrapped.
      // It compares strings by code point, as SQLite compares their text (byte order), whatever the collation.
      const tests = comparisons.map(({ operator }, i) => ` && @ ${operator === '=' ? '==' : operator} $v${i}`).join('');
      const filter = `'strict $[*] ? (@.type() == "${JSON_TYPES[type]}"${tests})'::jsonpath`;
      // Placeholders in the order they appear, as every dialect method allocates them.
      const elements = jsonValue(column, path);
      const values = comparisons.map(({ value }, i) => `'v${i}', ${value()}`).join(', ');
      return `(${array} AND jsonb_path_exists(${elements}, ${filter}, jsonb_build_object(${values})))`;
    },
    // `= ANY` reads the value once, `@> ANY` each element one level deep (as `elementCompare`).
    equalsAny: (column, path, values, params) => {
      const texts = values.map(({ value }) => (typeof value === 'string' ? JSON.stringify(value) : String(value)));
      const scalar = `(${jsonValue(column, path)}) = ANY(${params.add(texts)}::jsonb[])`;
      const array = `jsonb_typeof(${jsonValue(column, path)}) = 'array'`;
      const element = `(${jsonValue(column, path)}) @> ANY(${params.add(texts.map((text) => `[${text}]`))}::jsonb[])`;
      return `(${scalar} OR (${array} AND ${element}))`;
    },
    elementExists: (column, path) =>
      `(jsonb_typeof(${jsonValue(column, path)}) = 'array' AND jsonb_path_exists(${jsonValue(column, path)}, 'strict $[*] ? (@.type() != "null")'::jsonpath))`,
    paramOperand: (placeholder, type) => `to_jsonb(${placeholder}::${CASTS[type]})`,
  },
  array: {
    // Every dimension counted; NULL for a NULL array.
    exists: (column) => `num_nonnulls(VARIADIC ${column}) > 0`,
    // unnest in the select list: in FROM, an array of a composite type comes out as the type's columns,
    // and `AS "ferry_a"("value")` named its first field (`street`), not the element.
    someElement: (column, body) => `EXISTS (SELECT 1 FROM (SELECT unnest(${column}) AS "value") AS "ferry_a" WHERE ${body(`"ferry_a"."value"`)})`,
    // `p < ANY(a)` is `p < e` for one element e: `e > p`, the operator seen from the element's side.
    compareAny: (column, operand, operator) => `${operand} ${FLIPPED[operator]} ANY(${column})`,
    document: (column) => `to_jsonb(${column})`,
  },
};

/** `a op b` as `b FLIPPED[op] a`. */
const FLIPPED = { '=': '=', '>': '<', '>=': '<=', '<': '>', '<=': '>=' } as const;
