import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Engine, JobListing } from '../engine/engine.js';
import { displayPath } from '../project/load-config.js';
import { guardedFiles, loadPipeline, type LoadedPipeline } from '../project/load-pipeline.js';
import { realPathOf, targetConflict, type GuardedFile } from '../project/target-path.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { projectPipelines } from './validate.js';

/**
 * `--sample` writes beside the real target (`users.csv` → `users.sample.csv`), or to `--output`,
 * so a quick look never overwrites the last full export. The new path gets the same guard as a
 * pipeline's target (not the store, the config, the pipeline or its source), and is never the
 * source of another pipeline of the project nor a .yaml file (which validate and serve would read).
 */
export function sampleTarget(ctx: CliContext, loaded: LoadedPipeline, output: string | undefined): LoadedPipeline {
  if (!loaded.targetPath) return loaded; // not an export: refused once planned
  const targetPath = output === undefined ? besideWithSuffix(loaded.targetPath, '.sample') : resolve(ctx.cwd, output);
  const project = ctx.project();
  const guarded = [...guardedFiles(project, loaded.path, loaded.sourcePath), ...pipelineSources(ctx)];
  const conflict = targetConflict(targetPath, project.stateDir, guarded);
  if (conflict) throw new CliExit(EXIT_INVALID, `refusing to write the sample to ${displayPath(ctx.cwd, targetPath)}: it ${conflict}`);
  if (/\.ya?ml$/i.test(targetPath))
    throw new CliExit(EXIT_INVALID, `refusing to write the sample to ${displayPath(ctx.cwd, targetPath)}: a .yaml name is read as a pipeline or config file`);
  return { ...loaded, targetPath };
}

/** How many of a pipeline's jobs are searched for an earlier sample written to `--output`. */
const SAMPLE_HISTORY = 1000;

/**
 * A sample's path (`--output FILE`, or the default beside the target): an existing file there is
 * replaced only when an earlier `--sample` wrote it (the journal says so), so a typo cannot
 * overwrite another pipeline's source, another export or a user's file — nor a file of the user's
 * that happens to have the default's name. Deleting the file (or another name) is the way past it.
 */
export async function refuseOverwritingNonSample(ctx: CliContext, engine: Engine, pipeline: LoadedPipeline): Promise<void> {
  const target = realPathOf(pipeline.targetPath!);
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return; // nothing there to lose (a folder missing on the way is created by the export)
  }
  if (!stats.isFile()) return; // a directory, a FIFO…: targetConflict said why already
  const jobs = await engine.list({ limit: SAMPLE_HISTORY, pipeline: pipeline.name });
  const output = (job: JobListing): string | null | undefined => job.artifacts?.output;
  if (jobs.some((job) => job.sample !== undefined && output(job) && realPathOf(output(job)!) === target)) return;
  throw new CliExit(
    EXIT_INVALID,
    `refusing to write the sample to ${displayPath(ctx.cwd, target)}: the file exists and no earlier --sample of ${pipeline.name} wrote it (delete it first, or choose another --output)`,
  );
}

/** `out/users.csv` → `out/users.sample.csv`; a name without an extension gets the suffix at its end. */
export function besideWithSuffix(path: string, suffix: string): string {
  const ext = extname(path);
  return join(dirname(path), basename(path, ext) + suffix + ext);
}

/** The existing source files of the project's pipelines (pipelines/**): a sample must not replace one, even one an earlier sample wrote. */
function pipelineSources(ctx: CliContext): GuardedFile[] {
  const project = ctx.project();
  return projectPipelines(join(project.rootDir, 'pipelines'), ctx.cwd).files.flatMap((file) => {
    const result = loadPipeline(project, ctx.cwd, file);
    const loaded = result.ok ? result.loaded : result.shaped;
    return loaded?.sourcePath ? [{ path: loaded.sourcePath, what: `the source file of ${loaded.file}` }] : [];
  });
}
