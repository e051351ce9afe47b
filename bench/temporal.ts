import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { INSTALL_HINT, startDevServer, temporalBinary, type DevServer } from '../src/engine/temporal/dev-server.js';
import { expectSummary, ferryRun, median, type Measured } from './measure.js';
import { ferryBin } from './paths.js';
import { csvPipeline, ferryImportCsv } from './workloads/import-csv.js';
import { makeProject } from './workloads/project.js';
import type { WorkloadContext } from './workloads/types.js';

/** Records per batch: the pipeline default, so the overhead is the one a user gets. */
const BATCH_SIZE = 1000;
const WORKER_COUNTS = [1, 3] as const;

export interface EngineRate {
  label: string;
  workers: number;
  /** records/s of each run, in run order, and their median. */
  rates: number[];
  median: number;
  medianSeconds: number;
}

/** Workload 1 on the embedded engine and on a local Temporal dev server with 1 and 3 workers. */
export interface TemporalBench {
  records: number;
  batches: number;
  engines: EngineRate[];
  /** (median Temporal 1-worker time − median embedded time) / batches, in ms: what the Temporal path adds per batch. */
  perBatchOverheadMs?: number;
  skipped?: string;
}

/**
 * The same CSV import (workload 1) run by `ferry run` on both engines in one invocation. The
 * Temporal side runs against `temporal server start-dev` on 127.0.0.1 with real `ferry worker`
 * processes, started before the timed run (a deployment keeps its workers up); the timed run is
 * the CLI's submit, the workflow, every batch activity and the follow to the end. No binary: skipped
 * with the reason, except under CI, where it fails.
 */
export async function temporalBench(ctx: WorkloadContext, csv: string, expected: { total: number; valid: number; invalid: number }): Promise<TemporalBench> {
  const batches = Math.ceil(expected.total / BATCH_SIZE);
  const base = { records: ctx.records, batches, engines: [] as EngineRate[] };
  if (temporalBinary() === undefined) {
    const reason = `no Temporal CLI: ${INSTALL_HINT}`;
    if (process.env['CI']) throw new Error(reason);
    return { ...base, skipped: reason };
  }
  const server = await startDevServer({ port: await freePort(), namespace: 'default', readyTimeoutMs: 120_000 });
  try {
    const runs: Record<string, Measured[]> = { embedded: [] };
    for (const n of WORKER_COUNTS) runs[`temporal-${n}`] = [];
    for (let round = 0; round < ctx.runs; round++) {
      const dir = join(ctx.work, `embedded-${round}`);
      runs['embedded']!.push(ferryImportCsv(dir, csv, expected));
      ctx.log(`  temporal bench: embedded run ${round + 1}: ${rate(ctx.records, runs['embedded']!.at(-1)!)}`);
      for (const n of WORKER_COUNTS) {
        runs[`temporal-${n}`]!.push(await temporalRun(join(ctx.work, `temporal-${n}-${round}`), server, n, csv, expected));
        ctx.log(`  temporal bench: Temporal, ${n} worker(s), run ${round + 1}: ${rate(ctx.records, runs[`temporal-${n}`]!.at(-1)!)}`);
      }
    }
    const engines = [
      engineRate('embedded', 0, ctx.records, runs['embedded']!),
      ...WORKER_COUNTS.map((n) => engineRate(`Temporal, ${n} worker${n > 1 ? 's' : ''}`, n, ctx.records, runs[`temporal-${n}`]!)),
    ];
    const overhead = ((engines[1]!.medianSeconds - engines[0]!.medianSeconds) * 1000) / batches;
    return { ...base, engines, perBatchOverheadMs: overhead };
  } finally {
    await server.stop();
  }
}

/** One timed Temporal run: a fresh project on its own task queue, `workers` started and ready, then `ferry run`. */
async function temporalRun(
  dir: string,
  server: DevServer,
  workers: number,
  csv: string,
  expected: { total: number; valid: number; invalid: number },
): Promise<Measured> {
  makeProject(dir, 'users.db', { 'import.yaml': csvPipeline(csv, false) });
  const taskQueue = `ferry-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const config = {
    state_dir: '.ferry',
    engine: 'temporal',
    temporal: { address: server.address, namespace: 'default', task_queue: taskQueue },
    connections: { users: { driver: 'sqlite', path: 'users.db', table: 'users' } },
  };
  writeFileSync(join(dir, 'ferry.yaml'), JSON.stringify(config, null, 1));
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker(dir)));
  try {
    const run = ferryRun(dir, 'import.yaml');
    expectSummary(run.report, { total: expected.total, inserted: expected.valid, rejected: expected.invalid });
    return run;
  } finally {
    await Promise.all(started.map(stopWorker));
  }
}

/** `ferry worker` in `cwd`, resolved once it says it polls. */
function startWorker(cwd: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ferryBin, 'worker'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-4000);
      if (/ferry worker: \S+, namespace/.test(seen)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ferry worker exited (${code}) before it was ready:\n${seen}`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function engineRate(label: string, workers: number, records: number, runs: Measured[]): EngineRate {
  const rates = runs.map((r) => records / r.seconds);
  return { label, workers, rates, median: median(rates), medianSeconds: median(runs.map((r) => r.seconds)) };
}

function rate(records: number, m: Measured): string {
  return `${m.seconds.toFixed(2)} s, ${Math.round(records / m.seconds).toLocaleString('en-US')} records/s`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The report's lines for the Temporal comparison. */
export function temporalLines(t: TemporalBench): string[] {
  const head = `Workload 1 on both engines (${fmtInt(t.records)} records, ${fmtInt(t.batches)} batches of ${BATCH_SIZE}, \`ferry run\` wall clock, workers already up):`;
  if (t.skipped !== undefined) return [head, '', `skipped: ${t.skipped}`];
  const embedded = t.engines[0]!.median;
  return [
    head,
    '',
    '| engine | records/s | / embedded |',
    '|---|---:|---:|',
    ...t.engines.map((e) => `| ${e.label} | ${fmtInt(e.median)} | ${(e.median / embedded).toFixed(2)}× |`),
    '',
    `Per-batch overhead of the Temporal path (1 worker): ${t.perBatchOverheadMs!.toFixed(1)} ms.`,
  ];
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
