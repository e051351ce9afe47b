import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { dryRun, type DryRunExamples } from '../../activities/dry-run.js';
import type { App } from '../app.js';
import { projectPipelines } from '../cli/validate.js';
import type { PipelineSchedule } from '../engine/engine.js';
import type { JobPlan } from '../plan/job-plan.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { passed } from '../pipeline-test/run-cases.js';
import { failureLines, testFileOf, testPipelineIfCases } from '../pipeline-test/test-pipeline.js';
import { loadPipeline, type LoadedPipeline } from '../project/load-pipeline.js';
import { planFor } from '../project/plan-for.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { HttpError } from './http.js';
import type { Upload } from './uploads.js';
import { maskJson } from '../cli/mask-json.js';

export interface PipelineEntry {
  /** Relative to the project folder, with forward slashes: how the page names it. */
  file: string;
  name: string | null;
  kind: 'import' | 'export' | 'migrate' | null;
  /** `file:line:col path: message`, secrets masked; empty when the pipeline is valid. */
  diagnostics: string[];
  schedule: string | null;
  /** `ferry test` of its cases (`<name>.test.yaml` beside it): null when it has none. */
  tests: { total: number; failed: string[] } | null;
}

export const pipelinesDir = (app: App): string => join(app.project.rootDir, 'pipelines');

/**
 * The project's pipelines (other tools' YAML kept in pipelines/ is none, as for `ferry validate`),
 * as the console lists and schedules them.
 */
const consolePipelines = (app: App): string[] => projectPipelines(pipelinesDir(app), app.project.rootDir).files;

/** Every pipeline under pipelines/, each checked as `ferry validate` checks it. */
export async function listPipelines(app: App): Promise<PipelineEntry[]> {
  const out: PipelineEntry[] = [];
  for (const path of consolePipelines(app)) {
    const file = relative(app.project.rootDir, path).split(sep).join('/');
    const result = await loadCheckedPipeline(app.project, app.project.rootDir, path);
    if (!result.ok) {
      out.push({
        file,
        name: null,
        kind: null,
        diagnostics: result.diagnostics.map((d) => app.project.masker.mask(formatDiagnostic(d))),
        schedule: null,
        tests: null,
      });
      continue;
    }
    const { pipeline, name } = result.loaded;
    const kind = 'file' in pipeline.source ? 'import' : 'file' in pipeline.target ? 'export' : 'migrate';
    out.push({
      file,
      name,
      kind,
      diagnostics: [],
      schedule: typeof pipeline.schedule === 'string' ? pipeline.schedule : null,
      tests: await testsOf(app, path),
    });
  }
  return out;
}

/** A pipeline's `ferry test` result for the page: each failed case (or problem with its test file) as `ferry test` prints it. */
async function testsOf(app: App, path: string): Promise<PipelineEntry['tests']> {
  const shown = (p: string): string => relative(app.project.rootDir, p).split(sep).join('/');
  const run = await testPipelineIfCases(path, shown);
  if (!run) return null;
  const mask = (line: string): string => app.project.masker.mask(line);
  if (run.diagnostics.length > 0) return { total: 0, failed: run.diagnostics.map((d) => mask(formatDiagnostic(d))) };
  const failed = run.results
    .filter((r) => !passed(r))
    .map((r) =>
      failureLines(shown(testFileOf(path)), r)
        .map(mask)
        .join('\n'),
    );
  return { total: run.results.length, failed };
}

/** The pipelines that have a `schedule:`, as the engines take them (invalid files are left out). */
export function pipelineSchedules(app: App): PipelineSchedule[] {
  const schedules: PipelineSchedule[] = [];
  for (const file of consolePipelines(app)) {
    const result = loadPipeline(app.project, app.project.rootDir, file);
    if (!result.ok || typeof result.loaded.pipeline.schedule !== 'string') continue;
    const { pipeline, name, path } = result.loaded;
    schedules.push({
      pipeline: name,
      file: path,
      cron: pipeline.schedule as string,
      ...(pipeline.timezone ? { timezone: pipeline.timezone } : {}),
      catchUp: pipeline.catch_up,
    });
  }
  return schedules;
}

/** A pipeline the page names, loaded and checked; only files under pipelines/ are accepted. */
export async function loadNamedPipeline(app: App, file: string): Promise<LoadedPipeline> {
  const dir = pipelinesDir(app);
  const path = resolve(app.project.rootDir, file);
  if (!path.startsWith(dir + sep) || !/\.ya?ml$/.test(path)) throw new HttpError(400, `not a pipeline under pipelines/: ${file}`);
  const result = await loadCheckedPipeline(app.project, app.project.rootDir, path);
  if (!result.ok) throw new HttpError(422, result.diagnostics.map((d) => app.project.masker.mask(formatDiagnostic(d))).join('\n'));
  return result.loaded;
}

/** The plan of a run of `loaded`, reading `upload` instead of the pipeline's own source file when given. */
export function planRun(app: App, loaded: LoadedPipeline, upload?: Pick<Upload, 'path' | 'format'>): JobPlan {
  if (upload && !('file' in loaded.pipeline.source)) throw new HttpError(400, `${loaded.name} reads a connection, not a file: it takes no upload`);
  return planFor(app.project, upload ? { ...loaded, sourcePath: upload.path, sourceFormat: upload.format } : loaded);
}

export interface DryRunReport {
  /** Given back to start the job: a run starts only after its dry run was seen. */
  id: string;
  status: string;
  error: string | null;
  summary: { total: number; would_insert: number; would_update: number; unchanged: number; rejected: number };
  examples: DryRunExamples;
}

/** The dry run of the page's run (`ferry run --dry-run`), masked; remembered by id for the start. */
export async function dryRunFor(app: App, plan: JobPlan): Promise<DryRunReport> {
  const id = randomBytes(9).toString('hex');
  const jobDir = join(app.project.stateDir, 'dry-runs', plan.jobId);
  // The page shows the examples only: the folder (every change's before and after, the rejects:
  // users' data) is not kept, unlike `ferry run --dry-run`'s, whose summary names its files.
  const { outcome, examples } = await dryRun(app.deps, { ...plan, jobDir }, 3).finally(() => rmSync(jobDir, { recursive: true, force: true }));
  const s = outcome.summary;
  const masked = maskJson(examples, (text) => app.project.masker.mask(text));
  return {
    id,
    status: outcome.status,
    error: outcome.error ? app.project.masker.mask(outcome.error) : null,
    summary: { total: s.total, would_insert: s.inserted, would_update: s.updated, unchanged: s.unchanged, rejected: s.rejected },
    examples: masked,
  };
}
