import type { Measured } from '../measure.js';
import { median } from '../measure.js';
import type { Stats, Workload, WorkloadContext, WorkloadResult } from './types.js';

/** One timed run of a side: sets up its own state (untimed), runs, checks its result, returns the measurement. */
export type Side = (round: number) => Promise<Measured> | Measured;

/**
 * Runs Ferry and its baseline `ctx.runs` times each, alternating (F B F B …) so that a change in
 * the machine's load hits both sides alike and the ratio stays meaningful on a busy machine.
 * `records` is what one run processes (the rate's numerator), the same for both sides.
 */
export async function compare(
  ctx: WorkloadContext,
  workload: Workload,
  records: number,
  sides: { ferry: Side; baseline: Side; sameTable?: Side; ceiling?: Side },
): Promise<WorkloadResult> {
  const ferry: Measured[] = [];
  const baseline: Measured[] = [];
  const sameTable: Measured[] = [];
  const ceiling: Measured[] = [];
  for (let round = 0; round < ctx.runs; round++) {
    ferry.push(await sides.ferry(round));
    ctx.log(`  ${workload.id} ferry    run ${round + 1}: ${rateText(records, ferry.at(-1)!)}`);
    baseline.push(await sides.baseline(round));
    ctx.log(`  ${workload.id} baseline run ${round + 1}: ${rateText(records, baseline.at(-1)!)}`);
    if (sides.sameTable !== undefined) {
      sameTable.push(await sides.sameTable(round));
      ctx.log(`  ${workload.id} same-table baseline run ${round + 1}: ${rateText(records, sameTable.at(-1)!)}`);
    }
    if (sides.ceiling === undefined) continue;
    ceiling.push(await sides.ceiling(round));
    ctx.log(`  ${workload.id} write ceiling run ${round + 1}: ${rateText(records, ceiling.at(-1)!)}`);
  }
  const f = stats(records, ferry);
  const b = stats(records, baseline);
  const result: WorkloadResult = {
    id: workload.id,
    title: workload.title,
    records: ctx.records,
    runs: ctx.runs,
    ferry: f,
    baseline: { ...b, label: workload.baseline },
    ratio: f.median / b.median,
  };
  if (sameTable.length > 0 && workload.sameTableBaseline !== undefined) {
    const t = stats(records, sameTable);
    result.sameTable = { ...t, label: workload.sameTableBaseline };
    result.sameTableRatio = f.median / t.median;
  }
  if (ceiling.length > 0 && workload.writeCeiling !== undefined) {
    const c = stats(records, ceiling);
    result.ceiling = { ...c, label: workload.writeCeiling };
    result.ceilingRatio = f.median / c.median;
  }
  return result;
}

export function skipped(ctx: WorkloadContext, workload: Workload, reason: string): WorkloadResult {
  return { id: workload.id, title: workload.title, records: ctx.records, runs: 0, skipped: reason };
}

function stats(records: number, runs: Measured[]): Stats {
  const rates = runs.map((r) => records / r.seconds);
  const rss = runs.map((r) => r.rssMb).filter((v): v is number => v !== null);
  return { rates, median: median(rates), peakRssMb: rss.length > 0 ? Math.max(...rss) : null };
}

function rateText(records: number, m: Measured): string {
  const rss = m.rssMb === null ? '' : `, peak RSS ${m.rssMb.toFixed(0)} MB`;
  return `${m.seconds.toFixed(2)} s, ${Math.round(records / m.seconds).toLocaleString('en-US')} records/s${rss}`;
}
