/** A duration as pipelines and ferry.yaml write it: `500ms`, `2s`, `1.5m`, `1h`. */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** `500ms`, `2s`, `1.5m`, `1h`, or a number of milliseconds. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value);
  if (!match) throw new Error(`invalid duration ${value}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}
