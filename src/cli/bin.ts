import { setFlagsFromString } from 'node:v8';

/** Whether the command line or NODE_OPTIONS already sets this V8 flag (V8 spells it with - or _): theirs wins. */
function givenByUser(flag: string): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => arg.replace(/_/g, '-').startsWith(flag));
}

// V8 lets the old generation grow up to 4× what survived the last full collection before the next
// one, and a batch's rows live long enough to be promoted, then die: each batch thread grew to
// ~70 MB, mostly garbage, over ~15 MB live. Growing it 2× instead took peak RSS at 1M records from
// 280 to 203 MB (workload 1), 272 → 216 (NDJSON, 200k) and 240 → 175 (PostgreSQL, 200k), for
// 3–13% more CPU spent collecting (benchmarks, see README "Memory"). V8 reads the flag at each
// collection, so setting it here covers every isolate of the process, batch threads included.
if (!givenByUser('--heap-growing-percent')) setFlagsFromString('--heap-growing-percent=100');

// Loading the CLI's modules is the one time the main thread's young objects mostly survive, and
// V8 answers that by doubling the young generation up to its 2 × 16 MB, which a thread that only
// orchestrates afterwards never gives back: 32 MB committed for a few MB used, for the whole job.
// Held at its first size while the modules load, then let grow as V8 would (its default factor,
// 2), it stays at 2–4 MB (README "Memory"). Batch threads start later and grow as before.
const holdYoung = !givenByUser('--semi-space-growth-factor');
if (holdYoung) setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import('./main.js');
if (holdYoung) setFlagsFromString('--semi-space-growth-factor=2');

// The process entry: bin/ferry.js loads this from dist/ (tests load it from their own build dir).
process.exitCode = await main(process.argv);
