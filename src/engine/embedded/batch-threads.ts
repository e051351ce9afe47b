import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { plannedBatches, readPlanFile } from '../../../activities/job-files.js';
import type { PipelineActivities, RunBatchInput, RunBatchOutput } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import { ConfigError } from '../../project/load-config.js';
import { batchThreadUse } from '../../connections/index.js';
import { releaseTurnOf } from '../../connections/writer-turn.js';
import type { ConnectionOptions } from '../../spec/config-schema.js';
import { ownField } from '../../validation/own-field.js';
import { holdingYoungGeneration, isolateStarted } from '../../young-generation.js';

/** What the main thread gives each batch thread (activities/batch-thread.ts). */
export interface BatchThreadSetup {
  connections: Record<string, ConnectionOptions>;
  baseDir: string;
  secrets: string[];
  writerTurn: SharedArrayBuffer;
  failpointHits: SharedArrayBuffer;
}

export type BatchThreadRequest =
  | { type: 'run'; input: RunBatchInput }
  /** The answer to `{ writeReady }`: no earlier batch of the job is still to write. */
  | { type: 'write' }
  | { type: 'forget'; jobDir: string }
  | { type: 'close' };

/** An error as it crosses to the main thread: what the engine's retry and report read of it. */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  retryable: boolean;
}

/**
 * A batch's end; `writeReady`: the thread's batch would take the writer turn, once earlier batches
 * have written; `written`: its batch has written everything it will (only its job files are left).
 */
export type BatchThreadReply = { output: RunBatchOutput } | { error: ThreadError } | { writeReady: true } | { written: true };

/** Sets how many batch threads the embedded engine may start (0: every batch runs on the main thread). */
export const batchThreadsEnv = 'FERRY_BATCH_THREADS';

/**
 * Sets the old-generation heap limit of each batch thread in MB (unset or 0: none, as V8 decides).
 *
 * A batch of 1,000 rows keeps well under 30 MB alive. V8 let an unbounded thread grow to ~70 MB of
 * mostly garbage before collecting, until the CLI told it to grow the old generation 2× per full
 * collection (cli/bin.ts); a thread now stays near 40 MB, and a limit matters for large batches
 * only. A batch that needs more than the limit still gets it: see `createBatchThreads`.
 */
export const batchThreadHeapEnv = 'FERRY_BATCH_THREAD_HEAP_MB';

/** How many threads run batches, and for which jobs. */
export interface BatchThreadPolicy {
  count: number;
  /** Each thread's old-generation limit in MB (FERRY_BATCH_THREAD_HEAP_MB) until one runs out of it; undefined: none. */
  heapMb: number | undefined;
  /**
   * FERRY_BATCH_THREADS was set: threads for every job, and not only for jobs whose stores take
   * them by default (ConnectionDefinition `batchThreads`).
   */
  asked: boolean;
}

/**
 * How many threads run batches: FERRY_BATCH_THREADS, default 2 (one maps while one writes; SQLite's
 * single writer is the ceiling past that), none on one core (a thread there only adds copying).
 * None when a store cannot be reached from a thread (SQLite `:memory:`: a thread would open a
 * database of its own) or when the thread's compiled entry is missing (sources run by a test runner).
 */
export function batchThreadPolicy(env: NodeJS.ProcessEnv, connections: Record<string, ConnectionOptions>, entry: URL): BatchThreadPolicy {
  const given = env[batchThreadsEnv] !== undefined && env[batchThreadsEnv] !== '';
  const n = wholeNumberEnv(env, batchThreadsEnv, availableParallelism() > 1 ? 2 : 0, (n) => n <= 64, 'a whole number from 0 to 64');
  const heapMb = wholeNumberEnv(env, batchThreadHeapEnv, 0, (n) => n === 0 || n >= 16, '0 or a whole number of MB from 16');
  const usable = Object.values(connections).every((c) => batchThreadUse(c) !== 'never') && existsSync(fileURLToPath(entry));
  return { count: usable ? n : 0, asked: given, heapMb: heapMb === 0 ? undefined : heapMb };
}

/** A whole number from the environment, `fallback` when unset. */
function wholeNumberEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, accepts: (n: number) => boolean, expected: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || !accepts(n)) {
    throw new ConfigError([{ file: 'environment', line: 0, col: 0, path: name, message: `must be ${expected}, got ${JSON.stringify(raw)}` }]);
  }
  return n;
}

export interface BatchThreads {
  /** Runs a batch on an idle thread, or on a new one with a young generation of `youngMb` (`youngGenerationMb`). */
  run(input: RunBatchInput, youngMb: number): Promise<RunBatchOutput>;
  /** Starts every thread not started yet, idle, so that their start overlaps the plan of a job that will use them. */
  warm(youngMb: number): void;
  /** A job ended: threads drop what they cached for it (its plan, mapping, connections' shapes). */
  forget(jobDir: string): void;
  /**
   * Stops the idle threads and waits for them to exit, so that their heaps are given back before
   * a job's finalize (which joins its files and cleans its bookkeeping) adds its own peak. A later
   * batch starts a thread again (0.1–0.3 s).
   */
  stopIdle(): Promise<void>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  /** The batch it runs now; `written`: it has written everything it will, and holds no later batch back. */
  batch?: { jobDir: string; index: number; written: boolean };
  /** Its batch asked to write and waits for the earlier batches of its job to have written. */
  wantsWrite: boolean;
  settle?: { resolve: (output: RunBatchOutput) => void; reject: (err: unknown) => void };
  /** The heap limit it was started with (FERRY_BATCH_THREAD_HEAP_MB), if any. */
  heapMb: number | undefined;
}

/**
 * Up to `size` worker threads, started as batches ask for them, each running one batch at a time.
 * The main thread keeps the journal and the orchestration; it never runs a batch while threads do,
 * since a batch's synchronous write there would hold back every other thread's next batch.
 *
 * Batches map in parallel but write in order: a batch writes once no earlier batch of its job
 * running on a thread has yet to write (one that has written only has its job files left to write),
 * so of a key repeated across batches the first row wins (DUPLICATE_IN_SOURCE
 * for the rest), as when batches run one by one. A batch that failed and waits for its retry holds
 * nobody back, and one waiting for a thread neither: it may start after later ones, as on the main
 * thread, and no thread ever waits on a batch that has none.
 */
export function createBatchThreads(entry: URL, setup: BatchThreadSetup, { size, heapMb }: { size: number; heapMb: number | undefined }): BatchThreads {
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let oldGenerationMb = heapMb;
  const start = (youngMb: number): Slot => {
    const limits = { maxYoungGenerationSizeMb: youngMb, ...(oldGenerationMb === undefined ? {} : { maxOldGenerationSizeMb: oldGenerationMb }) };
    const worker = new Worker(entry, { workerData: setup, resourceLimits: limits });
    // Read now: once the thread has stopped, `worker.threadId` is -1.
    const { threadId } = worker;
    const slot: Slot = { worker, wantsWrite: false, heapMb: oldGenerationMb };
    slot.worker.on('message', (reply: BatchThreadReply) => {
      if ('writeReady' in reply) {
        slot.wantsWrite = true;
        return admitWriters();
      }
      if ('written' in reply) {
        if (slot.batch) slot.batch.written = true;
        return admitWriters();
      }
      const settle = slot.settle;
      slot.settle = undefined;
      if ('error' in reply) settle?.reject(Object.assign(new Error(reply.error.message), reply.error));
      else settle?.resolve(reply.output);
    });
    // A thread that dies fails its batch (retryably: a new thread may well succeed) and leaves the pool.
    // One that ran out of its heap limit (a batch of very large rows) lifts the limit: idle threads
    // that have it stop now, busy ones after their batch, so the batch's retry runs on a thread
    // without one, as it would have with no limit set. Its transaction dies uncommitted with its
    // connection, as after a kill.
    const lost = (err: unknown): void => {
      // A retired thread (see `retire`) has left the pool already, and had no batch.
      const at = slots.indexOf(slot);
      if (at < 0) return;
      slots.splice(at, 1);
      releaseTurnOf(setup.writerTurn, threadId);
      let why = err instanceof Error ? err.message : String(err);
      if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' && slot.heapMb !== undefined) {
        why = `it ran out of its ${slot.heapMb} MB heap (${batchThreadHeapEnv}); threads run without that limit from now on`;
        oldGenerationMb = undefined;
        for (const idle of slots.filter((s) => !s.batch && s.heapMb !== undefined)) retire(idle);
      }
      slot.settle?.reject(Object.assign(new Error(`a batch thread stopped: ${why}`), { retryable: true }));
      slot.settle = undefined;
      // A batch it ran is released when its run() settles; an idle thread's place goes to a waiter now.
      if (!slot.batch) waiting.shift()?.();
    };
    slot.worker.on('error', lost);
    slot.worker.once('online', isolateStarted);
    slot.worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    slot.worker.unref();
    slots.push(slot);
    return slot;
  };
  const admitWriters = (): void => {
    for (const slot of slots) {
      const mine = slot.batch;
      if (!slot.wantsWrite || !mine) continue;
      if (slots.some(({ batch }) => batch && !batch.written && batch.jobDir === mine.jobDir && batch.index < mine.index)) continue;
      slot.wantsWrite = false;
      slot.worker.postMessage({ type: 'write' } satisfies BatchThreadRequest);
    }
  };
  const acquire = async ({ jobDir, batch: index }: RunBatchInput, youngMb: number): Promise<Slot> => {
    for (;;) {
      const slot = slots.find((s) => !s.batch) ?? (slots.length < size ? start(youngMb) : undefined);
      if (slot) {
        slot.batch = { jobDir, index, written: false };
        // Referenced while it runs a batch: the process must not exit under it.
        slot.worker.ref();
        return slot;
      }
      await new Promise<void>((resume) => waiting.push(resume));
    }
  };
  /** Stops an idle thread started with a heap limit since lifted; its place goes to a waiter. */
  const retire = (slot: Slot): void => {
    slots.splice(slots.indexOf(slot), 1);
    slot.worker.postMessage({ type: 'close' } satisfies BatchThreadRequest);
    waiting.shift()?.();
  };
  const release = (slot: Slot): void => {
    slot.batch = undefined;
    slot.wantsWrite = false;
    slot.worker.unref();
    admitWriters();
    if (slots.includes(slot) && slot.heapMb !== oldGenerationMb) return retire(slot);
    waiting.shift()?.();
  };
  return {
    async run(input, youngMb) {
      const slot = await acquire(input, youngMb);
      try {
        return await new Promise<RunBatchOutput>((resolve, reject) => {
          slot.settle = { resolve, reject };
          slot.worker.postMessage({ type: 'run', input } satisfies BatchThreadRequest);
        });
      } finally {
        release(slot);
      }
    },
    warm(youngMb) {
      while (slots.length < size) start(youngMb);
    },
    forget(jobDir) {
      for (const { worker } of slots) worker.postMessage({ type: 'forget', jobDir } satisfies BatchThreadRequest);
    },
    async stopIdle() {
      const idle = slots.filter((slot) => !slot.batch);
      for (const slot of idle) slots.splice(slots.indexOf(slot), 1);
      await stopAll(idle);
    },
    async close() {
      await stopAll(slots.splice(0));
    },
  };
}

/** Asks each thread to close and waits for it to exit (terminated after 5 s). */
async function stopAll(stopping: readonly Slot[]): Promise<void> {
  await Promise.all(
    stopping.map(async ({ worker }) => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' } satisfies BatchThreadRequest);
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * The activities with runBatch on threads for jobs that can use them: more than one batch,
 * `batch.parallelism` above 1, and (unless `asked`) only stores that take threads by default. A small job stays
 * on the main thread (a thread takes ~0.1 s to start).
 */
export function withBatchThreads(
  acts: PipelineActivities,
  threads: BatchThreads,
  { asked, connections }: Pick<BatchThreadPolicy, 'asked'> & { connections: Record<string, ConnectionOptions> },
): PipelineActivities {
  const byDefault = (plan: JobPlan): boolean =>
    [plan.source, plan.target].every((end) => {
      if (end.type !== 'connection') return true;
      const options = ownField(connections, end.connection);
      return options !== undefined && batchThreadUse(options) === 'default';
    });
  // Per job: the young generation its threads get (youngGenerationMb), or 0 when it runs on the main thread.
  const threaded = new Map<string, number>();
  const decide = (plan: JobPlan, batches: number): number =>
    plan.batch.parallelism > 1 && batches > 1 && (asked || byDefault(plan)) ? youngGenerationMb(plan) : 0;
  // What a job planned in this process decided when its plan ended, until its first batch: parsing
  // its plan file again on the main thread right after a scan (2.5 MB at 10M records) doubled that
  // thread's young generation. A resumed job reads its plan file.
  const decidedAtPlan = new Map<string, number>();
  const threadsOf = (jobDir: string): number => {
    let youngMb = threaded.get(jobDir);
    if (youngMb === undefined) {
      youngMb = decidedAtPlan.get(jobDir);
      if (youngMb === undefined) {
        const file = readPlanFile(jobDir);
        youngMb = decide(file.plan, plannedBatches(file));
      }
      decidedAtPlan.delete(jobDir);
      threaded.set(jobDir, youngMb);
    }
    return youngMb;
  };
  // Jobs whose plan warmed the threads and that have not run a batch yet: their threads are not idle
  // for long, and stopping them would only make the job start them again. Per job, when its plan
  // ended (undefined while it runs): a job that never comes to its batches (its lease lost between
  // the two) counts only for WARM_GRACE_MS after, not for the process's life.
  const warmedFor = new Map<string, number | undefined>();
  const othersWarming = (): boolean => [...warmedFor.values()].some((ended) => ended === undefined || performance.now() - ended < WARM_GRACE_MS);
  return {
    ...acts,
    planJob: async (input) => {
      const { jobDir } = input.plan;
      const warming = worthWarming(input.plan, asked || byDefault(input.plan));
      if (warming) {
        warmedFor.set(jobDir, undefined);
        threads.warm(youngGenerationMb(input.plan));
      }
      try {
        // A file's scan keeps its byte ranges, the young objects that survive (young-generation.ts).
        const planned = await holdingYoungGeneration(() => acts.planJob(input));
        decidedAtPlan.set(jobDir, decide(input.plan, planned.batches));
        if (warming && warmedFor.has(jobDir)) warmedFor.set(jobDir, performance.now());
        return planned;
      } catch (err) {
        warmedFor.delete(jobDir);
        throw err;
      }
    },
    runBatch: (input) => {
      warmedFor.delete(input.jobDir);
      const youngMb = threadsOf(input.jobDir);
      return youngMb > 0 ? threads.run(input, youngMb) : acts.runBatch(input);
    },
    finalizeJob: async (input) => {
      // The job's batches are done: unless another job still runs batches here, its threads go
      // before the finalize, whose joins and cleanup came on top of their heaps (workload 1 at 10M:
      // the job's peak RSS, 256 MB, was the finalize's; it now ends at 118 MB at 1M).
      warmedFor.delete(input.jobDir);
      const othersUse = [...threaded].some(([jobDir, youngMb]) => jobDir !== input.jobDir && youngMb > 0) || othersWarming();
      if (!othersUse) await threads.stopIdle();
      try {
        return await acts.finalizeJob(input);
      } finally {
        threaded.delete(input.jobDir);
        decidedAtPlan.delete(input.jobDir);
        threads.forget(input.jobDir);
      }
    },
  };
}

/**
 * The young generation of a thread started for a job's batches, in MB. An import's: 4 (V8 lets it
 * grow to 16 or more before collecting), which keeps ~25 MB of peak RSS off each thread at no
 * measurable cost in time (farm-bench, 200k records; 16 MB: CPU 1.07×, +31 MB). An export's: 16,
 * since its threads collected far more often than they worked otherwise (1M rows, 495k exported:
 * CPU 0.78× at 16 MB, RSS unchanged — the main thread's snapshot sets the peak; 32 MB: 0.96× of
 * 16, +30 MB). A thread keeps its size for later jobs of a long-lived process.
 */
export function youngGenerationMb(plan: JobPlan): number {
  return plan.target.type === 'file' ? 16 : 4;
}

/** How long after its plan a job that warmed the threads still counts as about to use them. */
const WARM_GRACE_MS = 60_000;

/** A source file of at least this size has more than one batch of rows, whatever their width. */
const WARM_SOURCE_BYTES = 1024 * 1024;

/**
 * Whether a job about to be planned will run its batches on threads, as far as can be told before
 * the plan: a store's rows (unless a `--sample`) or a file of a megabyte or more. A thread takes
 * 0.1–0.3 s to load its modules, which the plan's scan (an export's snapshot: seconds at 1M rows)
 * then hides; a small job that turns out to need none has started idle threads for nothing.
 */
function worthWarming(plan: JobPlan, threadable: boolean): boolean {
  if (!threadable || plan.batch.parallelism <= 1 || plan.dryRun) return false;
  if (plan.source.type === 'connection') return plan.sample === undefined;
  try {
    return statSync(plan.source.path).size >= WARM_SOURCE_BYTES;
  } catch {
    return false; // the plan says what is wrong with the file
  }
}
