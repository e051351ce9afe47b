import { QueryError } from './query-error.js';
import { parseInstant } from './timestamps.js';

/**
 * Elasticsearch date math in a range bound: an anchor — `now`, `{last_success}`, `{date}` (the
 * job's day, `now/d`) or `<date>||` — then any number of `+N<unit>`, `-N<unit>` and `/<unit>`
 * (rounding down, in UTC), applied left to right. Units: y M w d h H m s (`M` months, `m` minutes).
 */
export interface DateMath {
  anchor: 'now' | 'last_success' | { instant: string };
  ops: DateOp[];
}

export type DateUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';
export type DateOp = { add: number; unit: DateUnit } | { round: DateUnit };

/** The instants date math is relative to, decided by the planner (the query module reads no clock). */
export interface DateAnchors {
  /** The job's start. */
  now: string;
  /** The start of the pipeline's last successful job; null when it has none (the bound is then open). */
  lastSuccess?: string | null;
}

/**
 * A bound resolved: an instant, or for a rounded value the interval [start, end) of the unit (the
 * range's brackets decide which end counts, as in Elasticsearch); `open` for `{last_success}`
 * when there was no successful job: the bound is `*`.
 */
export type ResolvedDate = { open: true } | { start: string; end?: string };

export const PLACEHOLDERS = ['last_success', 'date'] as const;

const UNITS = new Set<string>(['y', 'M', 'w', 'd', 'h', 'H', 'm', 's']);
const HOUR = 3_600_000;
const FIXED_MS: Partial<Record<DateUnit, number>> = { w: 7 * 24 * HOUR, d: 24 * HOUR, h: HOUR, m: 60_000, s: 1000 };
/** Bounds that every store and `parseInstant` read back the same way (four-digit years). */
const EARLIEST = Date.UTC(1000, 0, 1);
const LATEST = Date.UTC(10000, 0, 1) - 1;

/**
 * Reads date math from an unquoted bound written at `offset` in the query; undefined when the
 * bound is a plain value (a quoted bound is always plain: `"now"` is the text now).
 */
export function parseDateMath(text: string, offset: number): DateMath | undefined {
  const anchor = readAnchor(text, offset);
  if (!anchor) return undefined;
  return { anchor: anchor.anchor, ops: [...anchor.ops, ...readOps(text, anchor.length, offset)] };
}

function readAnchor(text: string, offset: number): { anchor: DateMath['anchor']; ops: DateOp[]; length: number } | undefined {
  if (text === 'now' || /^now[-+/]/.test(text)) return { anchor: 'now', ops: [], length: 3 };
  if (text.startsWith('{')) {
    const name = text.slice(1, text.indexOf('}'));
    if (name === 'last_success') return { anchor: 'last_success', ops: [], length: name.length + 2 };
    if (name === 'date') return { anchor: 'now', ops: [{ round: 'd' }], length: name.length + 2 };
    throw new QueryError(`unknown placeholder {${name}} in a range bound; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`, offset);
  }
  const bar = text.indexOf('||');
  if (bar === -1) return undefined;
  const instant = parseInstant(text.slice(0, bar));
  if (!instant) throw new QueryError(`"${text.slice(0, bar)}" before || is not a date (YYYY-MM-DD) or ISO date-time`, offset);
  return { anchor: { instant: instant.start }, ops: [], length: bar + 2 };
}

function readOps(text: string, from: number, offset: number): DateOp[] {
  const ops: DateOp[] = [];
  let i = from;
  while (i < text.length) {
    const sign = text[i];
    const at = offset + i;
    if (sign !== '+' && sign !== '-' && sign !== '/') throw new QueryError(`date math: expected +, - or / at "${text.slice(i)}"`, at);
    i++;
    const digits = sign === '/' ? '' : (/^\d+/.exec(text.slice(i))?.[0] ?? '');
    if (sign !== '/' && digits === '') throw new QueryError(`date math: expected a whole number after ${sign} (e.g. now${sign}1d)`, at);
    i += digits.length;
    const unit = text[i];
    if (unit === undefined || !UNITS.has(unit)) {
      throw new QueryError(`date math: expected a unit after ${sign}${digits}: y M w d h H m s (M months, m minutes)`, offset + i);
    }
    i++;
    const u = (unit === 'H' ? 'h' : unit) as DateUnit;
    ops.push(sign === '/' ? { round: u } : { add: sign === '-' ? -Number(digits) : Number(digits), unit: u });
  }
  return ops;
}

/**
 * The bound's value relative to `anchors`. Rounding keeps the unit's interval; an addition after
 * it moves both ends. `offset` places errors (a result outside years 1000–9999).
 */
export function resolveDateMath(math: DateMath, anchors: DateAnchors, offset: number): ResolvedDate {
  const base = anchorMs(math.anchor, anchors);
  if (base === null) return { open: true };
  let start = base;
  let end: number | undefined;
  for (const op of math.ops) {
    if ('round' in op) {
      start = floor(start, op.round);
      end = addUnits(start, 1, op.round);
    } else {
      start = addUnits(start, op.add, op.unit);
      if (end !== undefined) end = addUnits(end, op.add, op.unit);
    }
  }
  for (const ms of [start, end ?? start]) {
    if (!(ms >= EARLIEST && ms <= LATEST)) throw new QueryError('date math gives a date outside the years 1000–9999', offset);
  }
  const iso = (ms: number): string => new Date(ms).toISOString();
  return end === undefined ? { start: iso(start) } : { start: iso(start), end: iso(end) };
}

function anchorMs(anchor: DateMath['anchor'], anchors: DateAnchors): number | null {
  if (anchor === 'now') return Date.parse(anchors.now);
  if (anchor === 'last_success') {
    if (anchors.lastSuccess === undefined) throw new Error('{last_success} needs the last successful job, which the planner did not give');
    return anchors.lastSuccess === null ? null : Date.parse(anchors.lastSuccess);
  }
  return Date.parse(anchor.instant);
}

/** The start of the UTC unit holding `ms`; weeks start on Monday (ISO 8601, as in Elasticsearch). */
function floor(ms: number, unit: DateUnit): number {
  const d = new Date(ms);
  const [y, mo, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
  switch (unit) {
    case 'y':
      return Date.UTC(y, 0, 1);
    case 'M':
      return Date.UTC(y, mo, 1);
    case 'w':
      return Date.UTC(y, mo, day) - ((d.getUTCDay() + 6) % 7) * 24 * HOUR;
    case 'd':
      return Date.UTC(y, mo, day);
    default: {
      const size = FIXED_MS[unit] as number;
      return ms - (((ms % size) + size) % size);
    }
  }
}

/** Months and years are calendar steps that keep the day, clamped to the month's end (Jan 31 + 1M = Feb 28/29). */
function addUnits(ms: number, amount: number, unit: DateUnit): number {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return ms + amount * fixed;
  const d = new Date(ms);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + amount * (unit === 'y' ? 12 : 1);
  const [year, month] = [Math.floor(months / 12), ((months % 12) + 12) % 12];
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const timeOfDay = ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)) + timeOfDay;
}
