import { isMainThread } from 'node:worker_threads';

/**
 * Named crash points for the durability tests, in the manner of FoundationDB's and TiKV's fail
 * points: FERRY_FAILPOINTS="batch-before-commit=3,step-before-record=2" kills this process with
 * SIGKILL the 3rd time it reaches `batch-before-commit`, or the 2nd time `step-before-record`.
 * `name=pause:MS` instead makes `pausepoint(name)` wait MS milliseconds each time (asynchronously),
 * to hold a batch in flight while a test signals the process (`batch-N-before-write=pause:MS`: only batch N's chunks).
 * `name=thread:N` stops only the thread that gets there the Nth time (a batch thread dying mid-write,
 * as from running out of memory); on the main thread it kills the process like `name=N`.
 * `name=errno:CODE` makes every hit throw the error a failing system call would (`errno:ENOSPC`: a
 * full disk, which cannot be made without root), so a test sees what a job does with it.
 * Unset (always, outside tests), a call costs one comparison.
 */
const spec = process.env['FERRY_FAILPOINTS'];
const armed = parse(spec);
const pauses = parsePauses(spec);
const names = armed ? [...armed.keys()] : [];
// Counted in shared memory, so "the 3rd time" means the process's 3rd, whichever thread gets there.
let hits = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, names.length)));

export function failpoint(name: string): void {
  if (!armed) return;
  const point = armed.get(name);
  if (point === undefined) return;
  if (point.errno) throw Object.assign(new Error(`${point.errno}: failpoint ${name} (FERRY_FAILPOINTS)`), { code: point.errno, syscall: 'write' });
  const n = Atomics.add(hits, names.indexOf(name), 1) + 1;
  if (n !== point.at) return;
  // process.exit in a worker thread ends that thread at once, without running its `finally` blocks.
  if (point.threadOnly && !isMainThread) process.exit(1);
  process.kill(process.pid, 'SIGKILL');
}

/** The hit counters, for a worker thread of this process to count with (`shareFailpointHits`). */
export function failpointHits(): SharedArrayBuffer {
  return hits.buffer as SharedArrayBuffer;
}

/** In a worker thread: counts hits with the main thread's counters (same FERRY_FAILPOINTS, same order). */
export function shareFailpointHits(buffer: SharedArrayBuffer): void {
  hits = new Int32Array(buffer);
}

export async function pausepoint(name: string): Promise<void> {
  const ms = pauses?.get(name);
  if (ms !== undefined) await new Promise((resolve) => setTimeout(resolve, ms));
}

interface CrashPoint {
  /** The hit that crashes. */
  at: number;
  threadOnly: boolean;
  /** Throw an error with this code at every hit, instead of crashing. */
  errno?: string;
}

function parse(spec: string | undefined): Map<string, CrashPoint> | undefined {
  if (!spec) return undefined;
  const points = new Map<string, CrashPoint>();
  for (const part of spec.split(',')) {
    const [name, count] = part.split('=');
    if (!name || count?.startsWith('pause:')) continue;
    if (count?.startsWith('errno:')) {
      points.set(name.trim(), { at: 0, threadOnly: false, errno: count.slice('errno:'.length) });
      continue;
    }
    const threadOnly = count?.startsWith('thread:') ?? false;
    points.set(name.trim(), { at: Number(threadOnly ? count!.slice('thread:'.length) : (count ?? 1)), threadOnly });
  }
  return points;
}

function parsePauses(spec: string | undefined): Map<string, number> | undefined {
  if (!spec) return undefined;
  const points = new Map<string, number>();
  for (const part of spec.split(',')) {
    const [name, value] = part.split('=');
    if (name && value?.startsWith('pause:')) points.set(name.trim(), Number(value.slice('pause:'.length)));
  }
  return points.size > 0 ? points : undefined;
}
