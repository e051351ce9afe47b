import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { usersTableColumns } from '../connections/users-table.js';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import { hashText } from '../project/plan-for.js';
import { parseTestFile } from '../pipeline-test/cases.js';
import { MAPPING_PATHS, passed, runCases, type CaseResult, type TestSubject } from '../pipeline-test/run-cases.js';
import { formatFromPath } from '../sources/index.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { parsePipeline } from '../spec/parse-pipeline.js';
import type { FileFormat, Pipeline } from '../spec/pipeline-schema.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { findPipelines } from './validate.js';

/** A pipeline's cases live beside it: `users.yaml` → `users.test.yaml`. */
const TEST_FILE = /\.test\.ya?ml$/;
/** The clock the cases' expressions see ($now(), $millis()): fixed, so an expected row never goes stale. */
export const TEST_CLOCK = '2000-01-01T00:00:00.000Z';

/**
 * `ferry test [pipeline…]`: the cases of each pipeline (its sibling `<name>.test.yaml`) through
 * the mapping and the checks, compiled and interpreted, with no store and no source file. Prints
 * `ok`/`FAIL` per case and a per-field diff; exit 0 all passed, 1 a case failed, 2 usage or an
 * invalid pipeline or test file.
 */
export async function testCommand(ctx: CliContext, args: string[]): Promise<void> {
  const pairs = args.length > 0 ? args.map((a) => pairOf(resolve(ctx.cwd, a), ctx.cwd)) : allTestFiles(ctx);
  if (pairs.length === 0)
    throw new CliExit(EXIT_INVALID, 'no test files found under pipelines/ (write <pipeline>.test.yaml beside a pipeline; see README "Testing a pipeline")');
  let failed = 0;
  let total = 0;
  for (const { pipelineFile, testFile } of pairs) {
    const shown = (p: string): string => relative(ctx.cwd, p) || p;
    const parsed = parsePipeline(shown(pipelineFile), readFileSync(pipelineFile, 'utf8'));
    const tests = parseTestFile(shown(testFile), readFileSync(testFile, 'utf8'));
    const problems = [...parsed.diagnostics, ...tests.diagnostics];
    if (problems.length > 0 || !parsed.pipeline) {
      for (const d of problems) ctx.stderr(formatDiagnostic(d));
      throw new CliExit(EXIT_INVALID);
    }
    const results = await runCases(subjectOf(planOf(parsed.pipeline, pipelineFile)), tests.cases);
    for (const r of results) {
      total++;
      if (passed(r)) ctx.stdout(`ok   ${shown(testFile)}:${r.case.line} ${r.case.name}`);
      else {
        failed++;
        for (const line of failureLines(shown(testFile), r)) ctx.stdout(line);
      }
    }
  }
  ctx.stdout(`${total - failed} of ${total} case(s) passed${failed > 0 ? `, ${failed} failed` : ''}`);
  if (failed > 0) throw new CliExit(EXIT_FAILED);
}

/** `x.yaml` or `x.test.yaml` → both files; a pipeline without cases is a usage error. */
function pairOf(path: string, cwd: string): { pipelineFile: string; testFile: string } {
  const ext = extname(path);
  const isTest = TEST_FILE.test(path);
  const pipelineFile = isTest ? path.replace(TEST_FILE, ext) : path;
  const testFile = isTest ? path : join(dirname(path), `${basename(path, ext)}.test${ext}`);
  if (!existsSync(pipelineFile)) throw new CliExit(EXIT_INVALID, `${relative(cwd, pipelineFile)}: pipeline file not found`);
  if (!existsSync(testFile)) throw new CliExit(EXIT_INVALID, `${relative(cwd, pipelineFile)}: no test cases (write them in ${relative(cwd, testFile)})`);
  return { pipelineFile, testFile };
}

function allTestFiles(ctx: CliContext): { pipelineFile: string; testFile: string }[] {
  const dir = join(ctx.project().rootDir, 'pipelines');
  return findPipelines(dir, { tests: true }).map((testFile) => pairOf(testFile, ctx.cwd));
}

/** The plan a job of this pipeline would have; the file paths are only named, never read. */
function planOf(pipeline: Pipeline, pipelineFile: string): JobPlan {
  const end = (spec: Pipeline['source'] | Pipeline['target']): { path: string; format: FileFormat } | undefined =>
    'file' in spec ? { path: resolve(dirname(pipelineFile), spec.file), format: spec.format ?? formatFromPath(spec.file) ?? 'json' } : undefined;
  const source = end(pipeline.source);
  const target = end(pipeline.target);
  return buildJobPlan(pipeline, {
    jobId: 'test',
    pipeline: pipeline.name ?? basename(pipelineFile, extname(pipelineFile)),
    pipelineFile,
    pipelineHash: hashText(''),
    startedAt: TEST_CLOCK,
    jobDir: '',
    ...(source ? { sourcePath: source.path, sourceFormat: source.format } : {}),
    ...(target ? { targetPath: target.path, targetFormat: target.format } : {}),
  });
}

function subjectOf(plan: JobPlan): TestSubject {
  return {
    kind: plan.kind,
    columns: plan.columns,
    rules: plan.validate.rules,
    schema: plan.validate.schema,
    csvSource: plan.source.type === 'file' && plan.source.format === 'csv',
    types: new Map(usersTableColumns.map((c) => [c.name, c.type])),
    table: plan.target.type === 'connection' ? (plan.target.table ?? 'users') : undefined,
    mapping: { id: plan.jobId, pipeline: plan.pipeline, started_at: plan.startedAt },
  };
}

/** A failed case: where it is, then its differences — once when both paths agree, else per path. */
function failureLines(file: string, r: CaseResult): string[] {
  const head = (which: string): string => `FAIL ${file}:${r.case.line} ${r.case.name}${which}`;
  const [compiled, interpreted] = MAPPING_PATHS.map((p) => r.paths[p].diff);
  if (JSON.stringify(compiled) === JSON.stringify(interpreted)) return [head(''), ...compiled!.map((d) => `       ${d}`)];
  const out: string[] = [];
  for (const p of MAPPING_PATHS) {
    const diff = r.paths[p].diff;
    if (diff.length > 0) out.push(head(` (${p} mapping)`), ...diff.map((d) => `       ${d}`));
  }
  return out;
}
