import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ferryBin, rssProbe } from './paths.js';

export interface Measured {
  seconds: number;
  /** Peak RSS in MB; null when the command is not measured for memory (baselines). */
  rssMb: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and times it (wall clock, process start included); a non-zero exit throws. */
export function timed(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Measured {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${tail(result.stderr)}\n${tail(result.stdout)}`);
  }
  return { seconds, rssMb: null, stdout: result.stdout, stderr: result.stderr };
}

/** The summary `ferry run --json` prints (DESIGN.md "CLI"). */
export interface RunReport {
  job: string;
  status: string;
  summary: { total: number; inserted: number; updated: number; unchanged: number; rejected: number; exported: number };
  artifacts: { dir: string; rejects: string | null; output: string | null };
}

/** `ferry run <pipeline> --json` in `cwd` as its own process, with its peak RSS (see rss-probe.ts). */
export function ferryRun(cwd: string, pipeline: string, flags: string[] = []): Measured & { report: RunReport } {
  const rssFile = join(cwd, `.rss-${process.pid}`);
  const env = { ...process.env, FERRY_BENCH_RSS_FILE: rssFile };
  const run = timed(process.execPath, ['--import', rssProbe, ferryBin, 'run', pipeline, '--json', ...flags], { cwd, env });
  let report: RunReport;
  try {
    report = JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`ferry run printed no JSON summary:\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  }
  const rssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : null;
  rmSync(rssFile, { force: true });
  return { ...run, rssMb, report };
}

/** Throws unless the run succeeded with exactly `expected` counts: a broken run must never pass as a fast one. */
export function expectSummary(report: RunReport, expected: Partial<RunReport['summary']>): void {
  if (report.status !== 'succeeded') throw new Error(`job ${report.job} ${report.status}`);
  const wrong = Object.entries(expected).filter(([k, v]) => report.summary[k as keyof RunReport['summary']] !== v);
  if (wrong.length > 0) {
    throw new Error(`job ${report.job}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(report.summary)}`);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function tail(text: string | null | undefined): string {
  return (text ?? '').split('\n').slice(-20).join('\n');
}
