import { expect } from 'vitest';
import { runFerry, startFerry, type CliResult } from './cli.js';
import { codes, TestProject, type JobReportJson } from './project.js';
import { generateUsers } from './users.js';

/**
 * Once and only once, for any user store: a job killed with SIGKILL at many points — inside a batch
 * transaction, between a commit and its journal record, while finalizing, and at random moments —
 * then resumed each time, ends with exactly the table, summary and reject report of an
 * uninterrupted run. The store is whatever the project's ferry.yaml says (SQLite without one).
 */

export const crashUsers = 3000;
const crashPoints = ['batch-before-commit', 'batch-after-commit', 'step-before-record', 'step-after-record'];

export interface CrashStore {
  /** Files a project needs besides the pipelines (a ferry.yaml naming the store); called once per project. */
  files(): Promise<Record<string, string>>;
  /** The imported users, ordered by email: the columns that do not depend on when the job ran. */
  table(p: TestProject): Promise<Record<string, unknown>[]>;
  /** Sees the output of every CLI run (to check that no secret is printed). */
  onOutput?(output: string): void;
  /**
   * The import's batch size (default 25). Two batches in flight hold a duplicated key in turn: which
   * row wins depends on which commits first (README, "Rows") unless the store serializes writers, as
   * SQLite does. generateUsers keeps each duplicate in its original's batch when the size is a
   * multiple of 10, which a concurrent store needs for one exact expected table.
   */
  batchSize?: number;
}

/** Runs an uninterrupted job and a crashed-and-resumed one into two fresh stores and compares them. */
export async function expectOnceAndOnlyOnce(store: CrashStore, upsert: boolean): Promise<void> {
  const reference = await crashProject(store, upsert);
  const crashed = await crashProject(store, upsert);
  try {
    const uninterrupted = run(store, reference, 'import.yaml');
    expect(uninterrupted.status).toBe('succeeded');
    const { crashes, report } = await runUntilDone(store, crashed, upsert);
    expect(crashes).toBeGreaterThanOrEqual(20);
    expect(report.summary).toEqual(uninterrupted.summary);
    expect(sameRows(await store.table(crashed))).toEqual(sameRows(await store.table(reference)));
    expect(rejectRows(crashed, report)).toEqual(rejectRows(reference, uninterrupted));
    const s = report.summary;
    expect(s.inserted + s.updated + s.unchanged + s.rejected).toBe(crashUsers);
    expect(s.rejected).toBeGreaterThan(0);
    if (upsert) expect(s.updated).toBeGreaterThan(0);
  } finally {
    reference.cleanup();
    crashed.cleanup();
  }
}

/** Users with invalid rows and duplicates; with upsert, half of them seeded first so the import updates them. */
async function crashProject(store: CrashStore, upsert: boolean): Promise<TestProject> {
  const p = new TestProject();
  for (const [file, content] of Object.entries(await store.files())) p.write(file, content);
  p.write('users.json', generateUsers(crashUsers, 7, { invalidEvery: 37, duplicateEvery: 53 }));
  p.write(
    'seed.json',
    generateUsers(crashUsers, 11).filter((_, i) => i % 2 === 0),
  );
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\nbatch: { size: 500 }\n');
  const target = upsert ? '  upsert: true\n  metadata: merge\n' : '';
  p.write('import.yaml', `source:\n  file: users.json\ntarget:\n  connection: users\n${target}batch: { size: ${store.batchSize ?? 25}, parallelism: 2 }\n`);
  if (upsert) expect(run(store, p, 'seed.yaml').status).toBe('succeeded');
  return p;
}

function run(store: CrashStore, p: TestProject, pipeline: string): JobReportJson {
  const result = ferry(store, p, ['run', pipeline, '--json']);
  try {
    return JSON.parse(result.stdout) as JobReportJson;
  } catch {
    throw new Error(`ferry run printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

function ferry(store: CrashStore, p: TestProject, args: string[], env?: Record<string, string>): CliResult {
  const result = runFerry(args, { cwd: p.dir, ...(env ? { env } : {}) });
  store.onOutput?.(result.stdout + result.stderr);
  return result;
}

function rejectRows(p: TestProject, report: JobReportJson): unknown[] {
  return p.rejects(report).map((r) => [r.row, ...codes(r)]);
}

async function runUntilDone(store: CrashStore, p: TestProject, upsert: boolean): Promise<{ crashes: number; report: JobReportJson }> {
  let crashes = 0;
  let attempt = 0;
  const env = (): Record<string, string> => {
    // Cycle through the points, each at a different depth (the 1st to 4th time it is reached), so
    // every run dies early and the 120+ batches outlast the 20+ crashes.
    const point = crashPoints[attempt % crashPoints.length]!;
    const nth = 1 + ((attempt * 3) % 4);
    return { FERRY_FAILPOINTS: attempt === 20 ? 'finalize-part=2' : `${point}=${nth}` };
  };
  const first = ferry(store, p, ['run', 'import.yaml'], env());
  const id = /job (\S+) started/.exec(first.stderr)?.[1];
  if (!id) throw new Error(`no job id in: ${first.stderr}`);
  if (first.code !== 0) crashes++;
  for (attempt = 1; attempt < 200; attempt++) {
    const show = JSON.parse(ferry(store, p, ['jobs', 'show', id, '--json']).stdout) as JobReportJson;
    if (show.status === 'succeeded') return { crashes, report: show };
    expect(['interrupted', 'failed', 'cancelled']).toContain(show.status);
    if (attempt > 24 && attempt % 2 === 0) {
      if (await killAtRandom(store, p, id, attempt)) crashes++;
      continue;
    }
    const resumed = ferry(store, p, ['jobs', 'resume', id], attempt > 24 ? {} : env());
    if (resumed.code !== 0) crashes++;
  }
  throw new Error(`job ${id} did not finish (${upsert ? 'upsert' : 'insert'})`);
}

/** Resumes the job and kills it with SIGKILL after a pseudo-random delay; true if it was killed. */
async function killAtRandom(store: CrashStore, p: TestProject, id: string, attempt: number): Promise<boolean> {
  const child = startFerry(['jobs', 'resume', id], { cwd: p.dir });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const delay = 150 + ((attempt * 7919) % 900);
  const timer = setTimeout(() => child.kill('SIGKILL'), delay);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  store.onOutput?.(output);
  return signal === 'SIGKILL' || code !== 0;
}

/**
 * Generated user_ids are the job's prefix + the source row (see generateUserId): two jobs give
 * different prefixes, so compare the row each id was made from.
 */
function sameRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => (typeof r['user_id'] === 'string' ? { ...r, user_id: r['user_id'].replace(/^ferry\|[0-9a-f]{18}/, 'ferry|row:') } : r));
}
