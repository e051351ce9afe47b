import { lstatSync } from 'node:fs';
import { ferryFileProblem, readFerryFile } from '../project/read-ferry-file.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { usersTableColumns } from '../connections/users-table.js';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import { hashText } from '../project/plan-for.js';
import { formatFromPath } from '../sources/index.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { parsePipeline } from '../spec/parse-pipeline.js';
import type { FileFormat, Pipeline } from '../spec/pipeline-schema.js';
import { parseTestFile } from './cases.js';
import { visibleText } from '../spec/visible-text.js';
import { MAPPING_PATHS, runCases, type CaseResult, type TestSubject } from './run-cases.js';

/** A pipeline's cases live beside it: `users.yaml` → `users.test.yaml`. */
export const TEST_FILE = /\.test\.ya?ml$/;
/** The clock the cases' expressions see ($now(), $millis()): fixed, so an expected row never goes stale. */
export const TEST_CLOCK = '2000-01-01T00:00:00.000Z';

/** `x.yaml` → `x.test.yaml` beside it. */
export function testFileOf(pipelineFile: string): string {
  const ext = extname(pipelineFile);
  return join(dirname(pipelineFile), `${basename(pipelineFile, ext)}.test${ext}`);
}

/** One pipeline's cases run (`ferry test` and the console): the problems that stop them, else each case's result. */
export interface PipelineTestRun {
  diagnostics: Diagnostic[];
  results: CaseResult[];
}

/** Runs the cases of a checked pair (`checkedPair`: each file was seen to be a regular file); `shown` names the files in messages. */
export async function testPipeline(pair: CheckedPair, shown: (path: string) => string): Promise<PipelineTestRun> {
  const { pipelineFile, testFile } = pair;
  const texts = [readCheckedFile(pipelineFile, 'pipeline file', shown), readCheckedFile(testFile, 'test file', shown)] as const;
  const unread = texts.filter((t): t is Diagnostic => typeof t !== 'string');
  if (unread.length > 0) return { diagnostics: unread, results: [] };
  const parsed = parsePipeline(shown(pipelineFile), texts[0] as string);
  const tests = parseTestFile(shown(testFile), texts[1] as string);
  const diagnostics = [...parsed.diagnostics, ...tests.diagnostics];
  if (diagnostics.length > 0 || !parsed.pipeline) return { diagnostics, results: [] };
  return { diagnostics, results: await runCases(subjectOf(planOf(parsed.pipeline, pipelineFile)), tests.cases) };
}

/** The pipeline's cases when it has a test file (or a link by that name, even a broken one), else null. */
export async function testPipelineIfCases(pipelineFile: string, shown: (path: string) => string): Promise<PipelineTestRun | null> {
  const testFile = testFileOf(pipelineFile);
  if (!lstatSync(testFile, { throwIfNoEntry: false })) return null;
  const pair = checkedPair(pipelineFile, testFile);
  if ('problem' in pair) return { diagnostics: [{ file: shown(pair.path), line: 0, col: 0, path: '', message: pair.problem }], results: [] };
  return testPipeline(pair, shown);
}

declare const checked: unique symbol;
/** A pipeline file and its test file, each seen by a stat to be a regular file: only such a pair is read. */
export type CheckedPair = { readonly pipelineFile: string; readonly testFile: string } & { readonly [checked]: true };

/**
 * The pair, ready to read, or the first of its files that cannot be read and why, by a stat only:
 * reading a named pipe waited for a writer forever (`ferry test` and the console's pipelines page
 * hung), a directory was a raw EISDIR, a dangling link "not found". One stat per file, before
 * anything is read, for the CLI and the console alike.
 */
export function checkedPair(pipelineFile: string, testFile: string): CheckedPair | { path: string; problem: string } {
  for (const [path, what] of [
    [pipelineFile, 'pipeline file'],
    [testFile, 'test file'],
  ] as const) {
    const problem = ferryFileProblem(path, what);
    if (problem) return { path, problem };
  }
  return { pipelineFile, testFile } as CheckedPair;
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

/**
 * A failed case: where it is, then its differences — once when both paths agree, else per path.
 * Each line one line as printed: a case's name, an expected code or field may hold a line break
 * (that forged an `ok` line) or an ESC (that recoloured or erased the report), written as escapes.
 */
export function failureLines(file: string, r: CaseResult): string[] {
  return caseFailure(file, r).map(visibleText);
}

function caseFailure(file: string, r: CaseResult): string[] {
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

/**
 * The text of a file `checkedPair` saw to be a regular file, read from one handle checked again
 * (swapped for a named pipe since, a read by name would wait for a writer for ever), as validate
 * and run read it: a Latin-1 byte is refused at its place, not read as U+FFFD.
 */
function readCheckedFile(path: string, what: string, shown: (path: string) => string): string | Diagnostic {
  const read = readFerryFile(path, what);
  if ('text' in read) return read.text;
  if ('notUtf8' in read) return { file: shown(path), ...read.notUtf8, path: '' };
  return { file: shown(path), line: 0, col: 0, path: '', message: read.problem };
}
