import pg, { type CustomTypesConfig } from 'pg';
import { decodeJsonColumn } from './values.js';
import { imageText, jsonImage, parseStoredJson } from '../inexact-json.js';
import type { ColumnInfo } from '../types.js';
import { readableStored, UnreadableValue } from '../unreadable-value.js';

/**
 * How values read from PostgreSQL become plain values. Two readings: an export's (`rowTypes`,
 * `decodeValue`: timestamps as ISO instants, numbers as numbers) and a backup's (`imageTypes`,
 * `decodeImage`: timestamps, numerics and the like as the server's own text), because a backup is written
 * back and must be exact — a Date keeps milliseconds, not the microseconds the row had.
 */

const TIMESTAMP_OIDS = new Set([1082, 1083, 1114, 1184, 1266]);
const INT8 = 20;
const INTERVAL = 1186;
const JSON_OID = 114;
const JSONB_OID = 3802;

const asText = (text: string) => text;
const safeInteger = (text: string) => (Number.isSafeInteger(Number(text)) ? Number(text) : text);

function parsers(override: (oid: number) => ((text: string) => unknown) | undefined): CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      override(oid) ?? pg.types.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
  };
}

/** Timestamps as the server's text: a keyset cursor keeps their microseconds and compares exactly. */
export const scanTypes = parsers((oid) => (TIMESTAMP_OIDS.has(oid) ? asText : undefined));

/**
 * int8 as a number when it fits; a timestamp (without time zone: as UTC, not the process's zone) as
 * its ISO instant with every digit the server keeps; a date as its text; json and jsonb parsed, or kept as text when a number in them would be rounded
 * (inexact-json.ts).
 */
export const rowTypes = parsers((oid) => {
  if (oid === INT8) return safeInteger;
  // An interval as the server writes it (`1 day 02:00:00`): pg's object became {"days":1,"hours":2}.
  if (oid === INTERVAL) return asText;
  if (oid === JSON_OID || oid === JSONB_OID) return parseStoredJson;
  // Every digit of the instant: a Date kept milliseconds, so `10:00:00.123456` was exported as `.123`.
  if (oid === 1114 || oid === 1184) return exactInstant;
  if (oid === TIMESTAMP_ARRAY || oid === TIMESTAMPTZ_ARRAY) return exactInstants;
  if (oid === 1082) return asText;
  // A point or circle as the server writes it (`(1,2)`): pg's objects ({"x":1,"y":2}) were no text
  // PostgreSQL gives, nor one it reads back; their arrays, and an interval array's, element by element,
  // as a date array's (pg made each a Date at local midnight: another day in a zone west of UTC).
  if (oid === POINT || oid === CIRCLE) return asText;
  if (oid === POINT_ARRAY || oid === INTERVAL_ARRAY || oid === DATE_ARRAY) return textElements;
  // pg made each a double: 0.10000000000000000001 became 0.1, and NaN a null, without a word.
  if (oid === NUMERIC_ARRAY) return exactNumerics;
  return undefined;
});

const DATE_ARRAY = 1182;
const NUMERIC_ARRAY = 1231;

/** A numeric array's elements: a number where the double is the same number, else the server's text (as `decodeValue` a numeric). */
function exactNumerics(text: string): unknown {
  return arrayParser.create(text, (entry) => (heldByDouble(entry) ? Number(entry) : entry)).parse();
}

const POINT = 600;
const CIRCLE = 718;
const POINT_ARRAY = 1017;
const INTERVAL_ARRAY = 1187;

/** An array's elements as the server writes them (NULL as null), every dimension. */
function textElements(text: string): unknown {
  return arrayParser.create(text, asText).parse();
}

const TIMESTAMP_ARRAY = 1115;
const TIMESTAMPTZ_ARRAY = 1185;

/** An array of timestamps, each as `exactInstant` (pg's own parser made Dates, which keep milliseconds). */
function exactInstants(text: string): unknown {
  return arrayParser.create(text, exactInstant).parse();
}

/** pg-types' array parser as it is at run time (@types/pg describes an older, callable one). */
const arrayParser = pg.types.arrayParser as unknown as { create(text: string, transform: (entry: string) => unknown): { parse(): unknown } };

/**
 * A backup's reading: booleans, JSON and finite numbers as JavaScript values, instants in the
 * export's ISO form but with every digit, everything else (numerics, dates, arrays, ranges…) as the
 * server's own text: each casts back exactly.
 */
export const imageTypes = parsers((oid) => {
  if (oid === INT8) return safeInteger;
  if (oid === JSON_OID || oid === JSONB_OID) return jsonImage;
  if (oid === 1114 || oid === 1184) return exactInstant;
  if (FLOAT_OIDS.has(oid)) return finiteNumber;
  return NATIVE_OIDS.has(oid) ? undefined : asText;
});

/**
 * An upsert's lookup of the stored rows: as a backup reads them, but json and jsonb kept as text
 * when a number in them would be rounded (inexact-json.ts), so a merge never writes the rounded
 * document back in place of the stored one.
 */
export const lookupTypes = parsers((oid) => (oid === JSON_OID || oid === JSONB_OID ? parseStoredJson : imageTypes.getTypeParser(oid, 'text')));

/** bool, int2, int4: pg's own parsers give exact values (json and jsonb: `imageJson`). */
const NATIVE_OIDS = new Set([16, 21, 23]);
/** float4, float8: a number, except NaN and ±Infinity (JSON cannot hold them), kept as text. */
const FLOAT_OIDS = new Set([700, 701]);

const SERVER_INSTANT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?(\+00)?$/;

/**
 * `2026-11-21 10:38:32.4221+00` (a UTC session's timestamptz; a timestamp has no offset) as
 * `2026-11-21T10:38:32.4221Z`: what an export writes, without rounding to milliseconds. A
 * timestamp without time zone ignores the Z when cast back. Anything else (BC, infinity) stays text.
 */
function exactInstant(text: string): string {
  const parts = SERVER_INSTANT.exec(text);
  if (parts === null) return text;
  const fraction = (parts[3] ?? '').padEnd(3, '0');
  return `${parts[1]}T${parts[2]}.${fraction}Z`;
}

function finiteNumber(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/**
 * One value of a row read with `rowTypes`, as an export writes it. A bytea that is not UTF-8 text
 * and a float's NaN or ±Infinity are an UnreadableValue (a FORMAT reject where the mapping reads it).
 */
export function decodeValue(column: ColumnInfo, stored: unknown): unknown {
  const value = readableStored(column, stored, 'bytea');
  if (value instanceof UnreadableValue) return value;
  switch (column.type) {
    case 'json':
      return decodeJsonColumn(value);
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : value;
    case 'real':
    case 'integer':
      if (typeof value !== 'string') return value;
      // A numeric's NaN and ±Infinity: no JSON number, as a float's (the text "NaN" would pass for a value).
      if (/^[+-]?(NaN|Infinity)$/.test(value)) return readableStored(column, Number(value), 'bytea');
      // A numeric a double would round (beyond ±2^53, or more digits than it holds) stays the server's text, as an int8 does.
      return heldByDouble(value) ? Number(value) : value;
    default:
      return value;
  }
}

/** One value of a row read with `imageTypes`: only JSON needs unwrapping (see `jsonWrapperKey`), unless kept as its text (`imageTextKey`). */
export function decodeImage(column: ColumnInfo, value: unknown): unknown {
  return column.type === 'json' && imageText(value) === undefined ? decodeJsonColumn(value) : value;
}

/** Whether the double of decimal `text` is the same number (`1.2500`, `1e-20`), not a neighbour (`0.12345678901234567891`). */
function heldByDouble(text: string): boolean {
  const n = Number(text);
  return Number.isFinite(n) && canonicalDecimal(text) === canonicalDecimal(String(n));
}

/** A decimal as `digits`e`exponent` without leading or trailing zeros: equal values, equal strings; undefined if not a decimal. */
function canonicalDecimal(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (m === null) return undefined;
  const fraction = m[3] ?? '';
  const all = `${m[2] ?? ''}${fraction}`.replace(/^0+/, '');
  const digits = all.replace(/0+$/, '');
  if (digits === '') return '0';
  const exponent = Number(m[4] ?? 0) - fraction.length + (all.length - digits.length);
  return `${m[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}
