import { describe, expect, it } from 'vitest';
import { QueryError, checkQuery, compileQuery } from '../../../src/query/compile-query.js';
import type { ColumnInfo, ColumnType } from '../../../src/connections/types.js';
import { parseDateMath, resolveDateMath, type DateAnchors } from '../../../src/query/date-math.js';
import { hasDateMath, resolveQueryDates, usesLastSuccess } from '../../../src/query/resolve-dates.js';

// A Thursday, mid-afternoon UTC: every expectation below is relative to it, no clock is read.
const NOW = '2026-12-03T14:25:36.789Z';
const ANCHORS: DateAnchors = { now: NOW, lastSuccess: '2026-12-02T02:00:00.000Z' };

const at = (text: string, anchors: DateAnchors = ANCHORS) => {
  const math = parseDateMath(text, 0);
  if (!math) throw new Error(`${text} is not date math`);
  return resolveDateMath(math, anchors, 0);
};

const column = (name: string, type: ColumnType): ColumnInfo => ({ name, type, nullable: true, primaryKey: false, unique: false });
const COLUMNS: ColumnInfo[] = [column('user_id', 'text'), column('nickname', 'text'), column('updated_at', 'timestamp')];

describe('date math', () => {
  it('adds and subtracts every unit from now', () => {
    expect(at('now')).toEqual({ start: NOW });
    expect(at('now-1d')).toEqual({ start: '2026-12-02T14:25:36.789Z' });
    expect(at('now+2h')).toEqual({ start: '2026-12-03T16:25:36.789Z' });
    expect(at('now+2H')).toEqual({ start: '2026-12-03T16:25:36.789Z' });
    expect(at('now-90m')).toEqual({ start: '2026-12-03T12:55:36.789Z' });
    expect(at('now-36s')).toEqual({ start: '2026-12-03T14:25:00.789Z' });
    expect(at('now-2w')).toEqual({ start: '2026-11-19T14:25:36.789Z' });
    expect(at('now+1M')).toEqual({ start: '2027-01-03T14:25:36.789Z' });
    expect(at('now-1y')).toEqual({ start: '2025-12-03T14:25:36.789Z' });
    expect(at('now-1d-12h')).toEqual({ start: '2026-12-02T02:25:36.789Z' });
  });

  it('rounds down in UTC, keeping the unit as an interval', () => {
    expect(at('now/d')).toEqual({ start: '2026-12-03T00:00:00.000Z', end: '2026-12-04T00:00:00.000Z' });
    expect(at('now-1d/d')).toEqual({ start: '2026-12-02T00:00:00.000Z', end: '2026-12-03T00:00:00.000Z' });
    expect(at('now/h')).toEqual({ start: '2026-12-03T14:00:00.000Z', end: '2026-12-03T15:00:00.000Z' });
    expect(at('now/M')).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(at('now/y')).toEqual({ start: '2026-01-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    // Weeks start on Monday (2026-11-30).
    expect(at('now/w')).toEqual({ start: '2026-11-30T00:00:00.000Z', end: '2026-12-07T00:00:00.000Z' });
    expect(at('now/d+6h')).toEqual({ start: '2026-12-03T06:00:00.000Z', end: '2026-12-04T06:00:00.000Z' });
    expect(at('{date}')).toEqual(at('now/d'));
  });

  it('clamps calendar steps to the end of the month', () => {
    expect(at('2024-01-31||+1M')).toEqual({ start: '2024-02-29T00:00:00.000Z' });
    expect(at('2024-02-29||+1y')).toEqual({ start: '2025-02-28T00:00:00.000Z' });
    expect(at('2024-03-31T10:00:00Z||-1M/d')).toEqual({ start: '2024-02-29T00:00:00.000Z', end: '2024-03-01T00:00:00.000Z' });
  });

  it('anchors {last_success}, and leaves the bound open when there is none', () => {
    expect(at('{last_success}')).toEqual({ start: '2026-12-02T02:00:00.000Z' });
    expect(at('{last_success}-1h')).toEqual({ start: '2026-12-02T01:00:00.000Z' });
    expect(at('{last_success}-1h', { now: NOW, lastSuccess: null })).toEqual({ open: true });
    expect(() => at('{last_success}', { now: NOW })).toThrow(/last successful job/);
  });

  it('is not date math for plain values', () => {
    for (const text of ['2024-01-01', 'nowhere', 'no', '5', 'know']) expect(parseDateMath(text, 0)).toBeUndefined();
  });

  it('reports a bad expression at its place in the query', () => {
    const cases: [string, number, RegExp][] = [
      ['updated_at:[now-1x TO *]', 17, /expected a unit after -1/],
      ['updated_at:[now-d TO *]', 15, /expected a whole number after -/],
      ['updated_at:[now+1d*2 TO *]', 18, /expected \+, - or \//],
      ['updated_at:[{job} TO *]', 12, /unknown placeholder \{job\}.*\{last_success\}/],
      ['updated_at:[2024-13-01||+1d TO *]', 12, /before \|\| is not a date/],
      ['updated_at:[now+9000y TO *]', 12, /outside the years/],
      ['updated_at:now-1d', 11, /date math \(now-1d\) works in range bounds/],
    ];
    for (const [query, offset, message] of cases) {
      const error = checkQuery(query, COLUMNS);
      expect(error, query).toBeInstanceOf(QueryError);
      expect(error).toMatchObject({ offset });
      expect(error?.message).toMatch(message);
    }
  });
});

describe('resolveQueryDates', () => {
  it('writes the resolved instants into the query, brackets following Elasticsearch rounding', () => {
    expect(resolveQueryDates('updated_at:[now-1d TO *]', ANCHORS)).toBe('updated_at:[2026-12-02T14:25:36.789Z TO *]');
    // Yesterday, whole: from its start, to before today's start.
    expect(resolveQueryDates('updated_at:[now-1d/d TO now/d}', ANCHORS)).toBe('updated_at:[2026-12-02T00:00:00.000Z TO 2026-12-03T00:00:00.000Z}');
    // An included rounded upper bound includes the whole unit; an excluded rounded lower bound excludes it.
    expect(resolveQueryDates('updated_at:{now-1d/d TO now/d]', ANCHORS)).toBe('updated_at:[2026-12-03T00:00:00.000Z TO 2026-12-04T00:00:00.000Z}');
    expect(resolveQueryDates('updated_at:[{last_success} TO *]', ANCHORS)).toBe('updated_at:[2026-12-02T02:00:00.000Z TO *]');
    expect(resolveQueryDates('updated_at:[{last_success} TO *]', { now: NOW, lastSuccess: null })).toBe('updated_at:[* TO *]');
  });

  it('leaves everything else as written', () => {
    const query = 'nickname:"now" AND (updated_at:[now-7d TO "2027-01-01"] OR -user_id:x) AND updated_at:{2020-01-01 TO now]';
    expect(resolveQueryDates(query, ANCHORS)).toBe(
      'nickname:"now" AND (updated_at:[2026-11-26T14:25:36.789Z TO "2027-01-01"] OR -user_id:x) AND updated_at:{2020-01-01 TO 2026-12-03T14:25:36.789Z]',
    );
    for (const plain of ['*', 'nickname:[a TO b]', 'updated_at:["now-1d" TO *]', 'broken:(']) {
      expect(resolveQueryDates(plain, ANCHORS)).toBe(plain);
      expect(hasDateMath(plain)).toBe(false);
    }
  });

  it('compiles the resolved query to the same SQL as the date math with the same now', () => {
    const query = 'updated_at:[now-1d/d TO now/d} AND nickname:a*';
    expect(compileQuery(resolveQueryDates(query, ANCHORS), COLUMNS, 'sqlite')).toEqual(compileQuery(query, COLUMNS, 'sqlite', ANCHORS));
    expect(compileQuery(query, COLUMNS, 'sqlite', ANCHORS).params).toEqual([
      '2026-12-01T23:59:59.998Z',
      1796169600000000n,
      '2026-12-03T00:00:00.002Z',
      1796256000000000n,
      'a%',
    ]);
    // Unresolved date math never reaches SQL.
    expect(() => compileQuery(query, COLUMNS, 'sqlite')).toThrow(/resolved when a job is planned/);
  });

  it('tells whether the engine must be asked for {last_success}', () => {
    expect(usesLastSuccess('updated_at:[{last_success}-1h TO *]')).toBe(true);
    expect(usesLastSuccess('updated_at:[now-1d TO *]')).toBe(false);
    expect(usesLastSuccess('nickname:"{last_success}"')).toBe(false);
    expect(hasDateMath('updated_at:[now-1d TO *]')).toBe(true);
  });
});
