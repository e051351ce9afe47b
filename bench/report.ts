import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { StageBreakdown } from './stages.js';
import { temporalLines, type TemporalBench } from './temporal.js';
import type { WorkloadResult } from './workloads/types.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  sqlite3: string;
  /** 1-minute load average when the suite started and ended: a busy machine shows here. */
  loadStart: number;
  loadEnd?: number;
}

/** Workload 1's peak RSS at the suite's size and at 5×: equal numbers mean memory does not grow with the file. */
export interface RssScale {
  records: number;
  rssMb: number | null;
  scaledRecords: number;
  scaledRssMb: number | null;
}

export interface BenchReport {
  date: string;
  records: number;
  runs: number;
  /** `--batch N`: the imports ran with `batch: { size: N, commit: min(N, 10000) }`; absent: the pipeline defaults. */
  batch?: number;
  machine: Machine;
  workloads: WorkloadResult[];
  rssScale?: RssScale;
  stages?: StageBreakdown;
  /** Workload 1 on the embedded engine and on Temporal (1 and 3 workers). */
  temporal?: TemporalBench;
}

export function machineInfo(sqlite3: string): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    sqlite3,
    loadStart: loadavg()[0] ?? 0,
  };
}

/** The report as Markdown: the same text goes to the terminal and into the README. */
export function formatReport(report: BenchReport): string {
  const lines = [
    `${fmtInt(report.records)} records, median of ${report.runs} run(s) each${batchNote(report.batch)}; ${machineLine(report.machine)}`,
    '',
    '| # | workload | Ferry records/s | Ferry peak RSS | baseline | baseline records/s | Ferry / baseline | same-table baseline records/s | Ferry / same-table |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|',
    ...report.workloads.map(workloadRow),
  ];
  for (const w of report.workloads) if (w.ceiling && w.ceilingRatio !== undefined) lines.push('', ceilingLine(w));
  if (report.rssScale) lines.push('', rssLine(report.rssScale));
  if (report.temporal) lines.push('', ...temporalLines(report.temporal));
  if (report.stages) lines.push('', ...stageLines(report.stages));
  return lines.join('\n');
}

function batchNote(batch: number | undefined): string {
  return batch === undefined ? '' : `, imports with batch.size ${fmtInt(batch)} and batch.commit ${fmtInt(Math.min(batch, 10_000))}`;
}

/** Writes the JSON next to earlier ones: `<date>.json` (smoke runs: `<date>-smoke.json`, not kept in git). */
export function writeReport(dir: string, report: BenchReport, smoke: boolean): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.date.slice(0, 10)}${report.batch === undefined ? '' : `-batch${report.batch}`}${smoke ? '-smoke' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
  return file;
}

function machineLine(m: Machine): string {
  const load = m.loadEnd === undefined ? `${m.loadStart.toFixed(1)}` : `${m.loadStart.toFixed(1)} → ${m.loadEnd.toFixed(1)}`;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, sqlite3 ${m.sqlite3}, load average ${load}`;
}

function workloadRow(w: WorkloadResult): string {
  if (w.skipped !== undefined || !w.ferry || !w.baseline) return `| ${w.id} | ${w.title} | skipped: ${w.skipped ?? 'no result'} | | | | | | |`;
  const rss = w.ferry.peakRssMb === null ? '–' : `${w.ferry.peakRssMb.toFixed(0)} MB`;
  const times = (r: number | undefined) => (r === undefined ? '–' : `${r.toFixed(2)}×`);
  const same = w.sameTable === undefined ? '–' : fmtInt(w.sameTable.median);
  return `| ${w.id} | ${w.title} | ${fmtInt(w.ferry.median)} | ${rss} | ${w.baseline.label} | ${fmtInt(w.baseline.median)} | ${times(w.ratio)} | ${same} | ${times(w.sameTableRatio)} |`;
}

function ceilingLine(w: WorkloadResult): string {
  const c = w.ceiling!;
  return `Workload ${w.id} write ceiling, ${c.label}: ${fmtInt(c.median)} records/s; Ferry end to end is ${w.ceilingRatio!.toFixed(2)}× of it.`;
}

function rssLine(r: RssScale): string {
  const mb = (v: number | null) => (v === null ? '–' : `${v.toFixed(0)} MB`);
  return `Workload 1 peak RSS: ${mb(r.rssMb)} at ${fmtInt(r.records)} records, ${mb(r.scaledRssMb)} at ${fmtInt(r.scaledRecords)}.`;
}

function stageLines(s: StageBreakdown): string[] {
  const total = s.stages.reduce((sum, t) => sum + t.seconds, 0);
  return [
    `Stage breakdown (workload 1 in-process, ${fmtInt(s.records)} records, ${fmtInt(s.totalRate)} records/s end to end):`,
    '',
    '| stage | seconds | share | records/s alone |',
    '|---|---:|---:|---:|',
    ...s.stages.map((t) => `| ${t.stage} | ${t.seconds.toFixed(2)} | ${((100 * t.seconds) / total).toFixed(0)}% | ${fmtInt(t.rate)} |`),
  ];
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
