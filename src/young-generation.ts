import { setFlagsFromString } from 'node:v8';

/** Whether the command line or NODE_OPTIONS already sets this V8 flag (V8 spells it with - or _): theirs wins. */
export function givenByUser(flag: string): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => arg.replace(/_/g, '-').startsWith(flag));
}

const GROWTH_FLAG = '--semi-space-growth-factor';
let holds = 0;

/**
 * Runs `work` with V8's young generation held at its size, then lets it grow again as V8 would
 * (its default factor, 2). For the main thread's few phases whose young objects mostly survive
 * (loading the CLI's modules; a plan's scan and its byte ranges): V8 answers a high survival rate
 * by doubling the young generation, up to 2 × 16 MB, and a thread that then only orchestrates
 * gives it back seconds later at best. The flag is process-wide; batch threads have their own
 * young limit (batch-threads.ts), so the hold barely touches them. Nested or overlapping holds
 * (two jobs planning in one `ferry serve`) release when the last ends. A user's own flag wins.
 */
export async function holdingYoungGeneration<T>(work: () => Promise<T>): Promise<T> {
  if (givenByUser(GROWTH_FLAG)) return work();
  if (holds++ === 0) setFlagsFromString(`${GROWTH_FLAG}=1`);
  try {
    return await work();
  } finally {
    if (--holds === 0) setFlagsFromString(`${GROWTH_FLAG}=2`);
  }
}

/**
 * Call once a new isolate (a worker thread) is running: V8 sets the growth factor back to at
 * least 2 when it configures an isolate's heap, so a thread started during a hold (the threads a
 * plan warms) ended it. Test: test/unit/young-generation.test.ts.
 */
export function isolateStarted(): void {
  if (holds > 0) setFlagsFromString(`${GROWTH_FLAG}=1`);
}
