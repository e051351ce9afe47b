/**
 * How fast a job goes, for the progress bar, `jobs list`, `jobs show` and the console. A rate is
 * worth showing only over records this run did and over the time this run took: a resume replays
 * its earlier batches from the journal in milliseconds, and counting them (or a near-zero time)
 * showed thousands of records/s.
 */

/** Below this many seconds a rate is noise (a burst of replayed batches, the first batch's warm-up): none is shown. */
export const MIN_RATE_SECONDS = 1;

/** Records/s over `seconds`, or undefined when there is nothing honest to say yet. */
export function recordsPerSecond(records: number, seconds: number): number | undefined {
  if (!(seconds >= MIN_RATE_SECONDS)) return undefined;
  return Math.round(Math.max(0, records) / seconds);
}

/** Time left for `left` records at `perSecond`, as 1m05s; undefined without a rate. */
export function etaOf(left: number, perSecond: number | undefined): string | undefined {
  if (perSecond === undefined || perSecond <= 0) return undefined;
  const seconds = Math.max(0, Math.ceil(left / perSecond));
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
