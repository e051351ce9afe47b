import type { ValueType } from './conditions.js';
import type { JsonValue, SqlDialect } from './sql-dialect.js';
import { nearInstant, sqliteMicroInstant, sqliteMilliInstant, toMicroseconds } from './sqlite-instants.js';

/** `json_type` names of the JSON types a comparison of each value type accepts. */
const JSON_TYPES: Record<ValueType, string> = {
  text: `= 'text'`,
  number: `IN ('integer', 'real')`,
  boolean: `IN ('true', 'false')`,
  timestamp: `= 'text'`,
};

/** An element of the array `someElement` reads in `column`, as a row of json_each. */
function element(column: string): JsonValue {
  return {
    exists: () => `"ferry_e"."type" <> 'null'`,
    typeGuard: (type) => `"ferry_e"."type" ${JSON_TYPES[type]}`,
    valueOperand: () => `"ferry_e"."value"`,
    textOperand: () => `"ferry_e"."value"`,
    // `->` writes a value as its JSON text, a number with every digit it was stored with.
    jsonText: () => `(${column} -> "ferry_e"."fullkey")`,
  };
}

/**
 * The SQL function comparing two decimal texts exactly (exact-number.ts `compareDecimals`): the
 * SQLite connection registers it on each database it reads (`registerQueryFunctions`).
 */
export const DECIMAL_ORDER_FUNCTION = 'ferry_decimal_order';

/**
 * SQLite: booleans are 1/0; timestamps are ISO text, normalised with strftime so that values
 * written with or without milliseconds or a zone offset (in any form PostgreSQL reads, see
 * sqlite-instants.ts) compare correctly with the canonical `…T00:00:00.000Z` parameters. LIKE is case-insensitive for A–Z only (see SqlDialect `like`).
 */
export const sqliteDialect: SqlDialect = {
  placeholder: () => '?',
  bind: (type, value) => (type === 'boolean' ? (value === true ? 1 : 0) : value),
  // The indexed milliseconds narrow the rows, the microseconds of the text decide (sqlite-instants.ts).
  compareTimestamp: (column, operator, instant, params) => {
    const indexed = sqliteMilliInstant(column);
    const near = nearInstant(instant);
    const from = operator === '<' || operator === '<=' ? '' : `${indexed} >= ${params.add(near.from)} AND `;
    const to = operator === '>' || operator === '>=' ? '' : `${indexed} <= ${params.add(near.to)} AND `;
    return `(${from}${to}${sqliteMicroInstant(column)} ${operator} ${params.add(toMicroseconds(instant))})`;
  },
  columnOperand: (column, type) => (type === 'timestamp' ? sqliteMilliInstant(column) : column),
  paramOperand: (placeholder) => placeholder,
  like: (operand, placeholder) => `${operand} LIKE ${placeholder} ESCAPE '\\'`,
  // SQLite's lower() folds A–Z only (without the ICU extension, which Ferry never loads)
  foldCase: (operand) => `lower(${operand})`,
  // A column declared COLLATE NOCASE (or RTRIM) by another tool compares by it, `=` included.
  byteOrder: (operand) => `${operand} COLLATE BINARY`,
  // Only a PostgreSQL column has no `=` of its own; validate compiles its query here too.
  textEquals: (operand, placeholder) => `${operand} = ${placeholder}`,
  json: {
    pathParam: (path) => `$${path.map((key) => `."${key}"`).join('')}`,
    at: (column, path) => ({
      exists: () => `json_type(${column}, ${path.param()}) NOT IN ('null', 'array')`,
      typeGuard: (type) => `json_type(${column}, ${path.param()}) ${JSON_TYPES[type]}`,
      // json_extract returns JSON true/false as 1/0, which `bind` also produces for booleans.
      valueOperand: () => `json_extract(${column}, ${path.param()})`,
      textOperand: () => `json_extract(${column}, ${path.param()})`,
      jsonText: () => `(${column} -> ${path.param()})`,
    }),
    // json_each of an array: one row per element, its SQL value (true/false as 1/0) and its json_type name.
    someElement: (column, path, body) =>
      `(json_type(${column}, ${path.param()}) = 'array' AND EXISTS (SELECT 1 FROM json_each(${column}, ${path.param()}) AS "ferry_e" WHERE ${body(element(column))}))`,
    paramOperand: (placeholder) => placeholder,
    // json_extract reads a number as a double: 0.1 and 0.10000000000000000001 are one double, not one
    // number (PostgreSQL's jsonb tells them apart). A double tells equality apart from all but
    // the few numbers that round alike, whose digits then decide; an order takes the digits at once.
    compareNumber: (value, operator, number, params) => {
      const double = operator === '=' ? `${value.valueOperand()} = ${params.add(number)} AND ` : '';
      const order = `${DECIMAL_ORDER_FUNCTION}(${value.jsonText!()}, ${params.add(String(number))})`;
      return `(${double}${order} ${operator} 0)`;
    },
  },
  // A list is a JSON array in SQLite (PostgreSQL's arrays are checked here at validate only).
  array: {
    exists: (column) => `EXISTS (SELECT 1 FROM json_each(${column}) AS "ferry_a" WHERE "ferry_a"."type" <> 'null')`,
    someElement: (column, body) => `EXISTS (SELECT 1 FROM json_each(${column}) AS "ferry_a" WHERE ${body(`"ferry_a"."value"`)})`,
    document: (column) => column,
  },
};
