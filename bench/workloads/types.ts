import type { DataFormat, DataSet } from '../generate.js';

/** What every workload gets from the runner. */
export interface WorkloadContext {
  records: number;
  runs: number;
  /** The generated files for `records` users (cached in bench/data). */
  data(formats: DataFormat[], records?: number): DataSet;
  /** A folder of its own, removed by the runner afterwards. */
  work: string;
  log(line: string): void;
}

export interface Stats {
  /** records/s of each run, in run order. */
  rates: number[];
  median: number;
  /** The highest peak RSS over the runs, MB; null when not measured. */
  peakRssMb: number | null;
}

export interface WorkloadResult {
  id: string;
  title: string;
  records: number;
  runs: number;
  ferry?: Stats;
  baseline?: Stats & { label: string };
  /** Ferry's median rate over the baseline's: above 1 is faster than the baseline. */
  ratio?: number;
  /** The baseline that does the same database-side work (the built-in users table and all its indexes), where there is one. */
  sameTable?: Stats & { label: string };
  sameTableRatio?: number;
  /** The rows Ferry stored, written again by a bare loop of its own driver (write-ceiling.ts), where measured. */
  ceiling?: Stats & { label: string };
  ceilingRatio?: number;
  /** Why the workload did not run (a missing feature or server), printed instead of numbers. */
  skipped?: string;
}

export interface Workload {
  id: string;
  title: string;
  /** What the baseline is, in a few words (the table's label). */
  baseline: string;
  /** The same-table baseline's label, for workloads that have one. */
  sameTableBaseline?: string;
  /** The write ceiling's label, for workloads that measure one. */
  writeCeiling?: string;
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}
