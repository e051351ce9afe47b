import { setFlagsFromString } from 'node:v8';
import { givenByUser, holdingYoungGeneration } from '../young-generation.js';

// V8 lets the old generation grow up to 4× what survived the last full collection before the next
// one, and a batch's rows live long enough to be promoted, then die: each batch thread grew to
// ~70 MB, mostly garbage, over ~15 MB live. Growing it 2× instead took peak RSS at 1M records from
// 280 to 203 MB (workload 1), 272 → 216 (NDJSON, 200k) and 240 → 175 (PostgreSQL, 200k), for
// 3–13% more CPU spent collecting (benchmarks, see README "Memory"). V8 reads the flag at each
// collection, so setting it here covers every isolate of the process, batch threads included.
if (!givenByUser('--heap-growing-percent')) setFlagsFromString('--heap-growing-percent=100');

// Loading the CLI's modules is a time when the main thread's young objects mostly survive: held
// at its first size meanwhile, the young generation stays at 2–4 MB for the job instead of the
// 32 MB V8 would commit and keep (README "Memory").
const { main } = await holdingYoungGeneration(() => import('./main.js'));

// The process entry: bin/ferry.js loads this from dist/ (tests load it from their own build dir).
process.exitCode = await main(process.argv);
