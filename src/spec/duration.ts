/** Durations as pipelines, ferry.yaml and the CLI write them. */

/** A wait: `500ms`, `2s`, `1.5m`, `1h`. */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** `500ms`, `2s`, `1.5m`, `1h`, or a number of milliseconds. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value);
  if (!match) throw new Error(`invalid duration ${value}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

/** A job age as `ferry jobs prune --older-than` and `retention.older_than` take it: `30d`, `12h`, `2w`, `90m`, `0s` (every ended job). */
export const JOB_AGE = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Longer ago than this is before any job: a bigger age is a typo, and past Date's range it would not even compute. */
const MAX_AGE_MS = 100 * 366 * 86_400_000;

export const JOB_AGE_EXPECTED = 'expected a duration of at most 100 years such as 30d, 12h, 2w, 90m or 45s';

/** The age in milliseconds; undefined when it is not such a duration, or longer than 100 years. */
export function ageMs(text: string): number | undefined {
  const match = JOB_AGE.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_AGE_MS ? ms : undefined;
}
