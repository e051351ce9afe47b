/**
 * The benchmark suite: real `ferry run` processes against baselines measured in the same
 * invocation (ratios hold on a noisy machine). Not a test: nothing here has a threshold; it fails
 * only when a run is wrong (bad counts, a crash), never because it is slow.
 *
 *   npm run bench                         # 1M records, 3 runs each, plus workload 1 at 5M
 *   npm run bench -- --records 100000     # smaller
 *   npm run bench -- --smoke              # 20k records, 1 run: proves the harness works (CI)
 *   npm run bench -- --workloads 1,3 --runs 5 --no-rss-scale --no-stages --no-temporal
 *   npm run bench -- --batch 10000        # imports with batch.size 10000, committing 10,000 at a time
 *
 * Workload 1 also runs on a local Temporal dev server (1 and 3 workers) beside the embedded engine
 * when the `temporal` CLI is there (skipped with the reason otherwise; under CI a missing CLI fails).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateData, type DataFormat } from './generate.js';
import { repoRoot } from './paths.js';
import { formatReport, machineInfo, writeReport, type BenchReport, type RssScale } from './report.js';
import { stageBreakdown } from './stages.js';
import { temporalBench } from './temporal.js';
import { workloads } from './workloads/index.js';
import { ferryImportCsv } from './workloads/import-csv.js';
import { setImportBatch } from './workloads/project.js';
import type { WorkloadContext, WorkloadResult } from './workloads/types.js';

interface Options {
  records: number;
  runs: number;
  workloads: string[];
  rssScale: boolean;
  stages: boolean;
  temporal: boolean;
  smoke: boolean;
  out: string;
  batch?: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      runs: { type: 'string' },
      workloads: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'rss-scale': { type: 'boolean' },
      'no-rss-scale': { type: 'boolean' },
      'no-stages': { type: 'boolean', default: false },
      'no-temporal': { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke === true;
  const records = positive('--records', values.records ?? (smoke ? '20000' : '1000000'));
  // The 5× run costs as much as the rest together; it is what proves memory stays flat, so it is on at full size.
  const rssScale = values['rss-scale'] === true || (!smoke && values['no-rss-scale'] !== true && records >= 1_000_000);
  return {
    records,
    smoke,
    rssScale,
    runs: positive('--runs', values.runs ?? (smoke ? '1' : '3')),
    workloads: (values.workloads ?? workloads.map((w) => w.id).join(',')).split(',').map((s) => s.trim()),
    stages: values['no-stages'] !== true,
    temporal: values['no-temporal'] !== true,
    out: values.out ?? join(repoRoot, 'bench', 'results'),
    ...(values.batch !== undefined ? { batch: positive('--batch', values.batch) } : {}),
  };
}

function positive(flag: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got "${text}"`);
  return n;
}

function context(options: Options, work: string, records = options.records): WorkloadContext {
  const dataDir = join(repoRoot, 'bench', 'data');
  return {
    records,
    runs: options.runs,
    work,
    data: (formats: DataFormat[], n = records) => generateData(dataDir, n, formats),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Runs each chosen workload; a failed one is reported and makes the suite fail, the others still run. */
async function runWorkloads(options: Options, root: string): Promise<{ results: WorkloadResult[]; failed: number }> {
  const results: WorkloadResult[] = [];
  let failed = 0;
  for (const workload of workloads.filter((w) => options.workloads.includes(w.id))) {
    const work = mkdtempSync(join(root, `w${workload.id}-`));
    process.stderr.write(`workload ${workload.id}: ${workload.title}\n`);
    try {
      results.push(await workload.run(context(options, work)));
    } catch (err) {
      failed++;
      process.stderr.write(`workload ${workload.id} FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
      results.push({ id: workload.id, title: workload.title, records: options.records, runs: 0, skipped: 'FAILED (see the log above)' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { results, failed };
}

/** Workload 1 once more at 5× the records, Ferry only: its peak RSS next to the one at 1×. */
function rssScale(options: Options, root: string, first: WorkloadResult | undefined): RssScale {
  const scaled = options.records * 5;
  process.stderr.write(`workload 1 at ${scaled.toLocaleString('en-US')} records (peak RSS)\n`);
  const ctx = context(options, root, scaled);
  const data = ctx.data(['csv']);
  const run = ferryImportCsv(join(root, 'rss-scale'), data.files.csv!, data.expected);
  rmSync(join(root, 'rss-scale'), { recursive: true, force: true });
  return { records: options.records, rssMb: first?.ferry?.peakRssMb ?? null, scaledRecords: scaled, scaledRssMb: run.rssMb };
}

function sqlite3Version(): string {
  const result = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error('the sqlite3 CLI (the baseline) is not installed; on Debian: apt-get install sqlite3');
  return result.stdout.split(' ')[0] ?? 'unknown';
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const report: BenchReport = {
    date: new Date().toISOString(),
    records: options.records,
    runs: options.runs,
    ...(options.batch !== undefined ? { batch: options.batch } : {}),
    machine: machineInfo(sqlite3Version()),
    workloads: [],
  };
  setImportBatch(options.batch);
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  try {
    const { results, failed } = await runWorkloads(options, root);
    let temporalFailed = false;
    report.workloads = results;
    if (options.rssScale && failed === 0)
      report.rssScale = rssScale(
        options,
        root,
        results.find((r) => r.id === '1'),
      );
    if (options.temporal) {
      process.stderr.write('workload 1 on both engines (embedded, Temporal with 1 and 3 workers)\n');
      const work = mkdtempSync(join(root, 'temporal-'));
      const ctx = context(options, work);
      const data = ctx.data(['csv']);
      try {
        report.temporal = await temporalBench(ctx, data.files.csv!, data.expected);
      } catch (err) {
        temporalFailed = true;
        const message = err instanceof Error ? err.message : String(err);
        process.stderr.write(`temporal bench FAILED: ${message}\n`);
        report.temporal = { records: options.records, batches: 0, engines: [], skipped: 'FAILED (see the log above)' };
      }
    }
    if (options.stages) {
      process.stderr.write('stage breakdown (in-process)\n');
      report.stages = await stageBreakdown(context(options, root).data(['csv']).files.csv!, root, options.records);
    }
    report.machine.loadEnd = loadavg()[0] ?? 0;
    console.log(formatReport(report));
    console.log(`\nwritten to ${writeReport(options.out, report, options.smoke)}`);
    return failed === 0 && !temporalFailed ? 0 : 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
