import { createReadStream, createWriteStream, existsSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { failpoint } from '../src/failpoints.js';
import type { FinalizeJobInput, FinalizeJobOutput } from '../src/plan/activity-types.js';
import { writeExportFile } from './export-output.js';
import type { JobContexts } from './job-context.js';
import { rejectsPartPath, rejectsPath } from './job-files.js';

/**
 * Concatenates the batches' reject parts, in batch order, into rejects.ndjson (written under a
 * temporary name, then renamed), assembles a succeeded export's file from its output parts
 * (export-output.ts), and drops the job's bookkeeping in the target. Safe to repeat.
 */
export async function finalizeJob(contexts: JobContexts, { jobDir, batches, status }: FinalizeJobInput): Promise<FinalizeJobOutput> {
  const ctx = await contexts.get(jobDir);
  const target = rejectsPath(jobDir);
  const tmp = `${target}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  let rejects = 0;
  for (let batch = 0; batch < batches; batch++) {
    const part = rejectsPartPath(jobDir, batch);
    if (!existsSync(part)) continue; // a batch that never ran (failed or cancelled job)
    failpoint('finalize-part');
    for await (const chunk of createReadStream(part)) {
      rejects += countNewlines(chunk as Buffer);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, target);
  // Only a succeeded export has every part: a failed or cancelled one leaves the target path alone.
  const output = ctx.plan.kind === 'export' && status === 'succeeded' ? await writeExportFile(ctx.plan, batches) : null;
  await ctx.target?.connection.finishJob(ctx.plan.jobId);
  contexts.forget(jobDir);
  return { rejectsFile: target, rejects, output };
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
