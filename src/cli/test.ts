import { existsSync, lstatSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { passed } from '../pipeline-test/run-cases.js';
import { checkedPair, failureLines, TEST_FILE, testFileOf, testPipeline, type CheckedPair } from '../pipeline-test/test-pipeline.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { visibleText } from '../spec/visible-text.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { projectPipelines } from './validate.js';

/**
 * `ferry test [pipeline…]`: the cases of each pipeline (its sibling `<name>.test.yaml`) through
 * the mapping and the checks, compiled and interpreted, with no store and no source file. Prints
 * `ok`/`FAIL` per case and a per-field diff; exit 0 all passed, 1 a case failed, 2 usage or an
 * invalid pipeline or test file.
 */
export async function testCommand(ctx: CliContext, args: string[]): Promise<void> {
  const { pairs, skipped } = args.length > 0 ? { pairs: args.map((a) => pairOf(resolve(ctx.cwd, a), ctx.cwd)), skipped: 0 } : allTestFiles(ctx);
  if (pairs.length === 0)
    throw new CliExit(
      EXIT_INVALID,
      `no test files found under pipelines/ (${skipped > 0 ? `${skipped} file(s) of other tools skipped; ` : ''}write <pipeline>.test.yaml beside a pipeline; see README "Testing a pipeline")`,
    );
  let failed = 0;
  let total = 0;
  for (const pair of pairs) {
    const shown = (p: string): string => relative(ctx.cwd, p) || p;
    const { testFile } = pair;
    const { diagnostics, results } = await testPipeline(pair, shown);
    if (diagnostics.length > 0) {
      for (const d of diagnostics) ctx.stderr(formatDiagnostic(d));
      throw new CliExit(EXIT_INVALID);
    }
    for (const r of results) {
      total++;
      if (passed(r)) ctx.stdout(visibleText(`ok   ${shown(testFile)}:${r.case.line} ${r.case.name}`));
      else {
        failed++;
        for (const line of failureLines(shown(testFile), r)) ctx.stdout(line);
      }
    }
  }
  ctx.stdout(`${total - failed} of ${total} case(s) passed${failed > 0 ? `, ${failed} failed` : ''}`);
  if (failed > 0) throw new CliExit(EXIT_FAILED);
}

/** `x.yaml` or `x.test.yaml` → both files, checked before any is read; a pipeline without cases is a usage error. */
function pairOf(path: string, cwd: string): CheckedPair {
  const ext = extname(path);
  const isTest = TEST_FILE.test(path);
  const pipelineFile = isTest ? path.replace(TEST_FILE, ext) : path;
  const testFile = isTest ? path : testFileOf(path);
  if (!existsSync(pipelineFile) && !isLink(pipelineFile)) throw new CliExit(EXIT_INVALID, `${relative(cwd, pipelineFile)}: pipeline file not found`);
  if (!existsSync(testFile) && !isLink(testFile))
    throw new CliExit(EXIT_INVALID, `${relative(cwd, pipelineFile)}: no test cases (write them in ${relative(cwd, testFile)})`);
  const pair = checkedPair(pipelineFile, testFile);
  if ('problem' in pair) throw new CliExit(EXIT_INVALID, `${relative(cwd, pair.path)}: ${pair.problem}`);
  return pair;
}

function isLink(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
}

/** The test files found under pipelines/; another tool's (a docker-compose.test.yml) is skipped with a note, as validate skips its YAML. */
function allTestFiles(ctx: CliContext): { pairs: CheckedPair[]; skipped: number } {
  const found = projectPipelines(join(ctx.project().rootDir, 'pipelines'), ctx.cwd, { tests: true });
  for (const { note } of found.skipped) ctx.stdout(note);
  return { pairs: found.files.map((testFile) => pairOf(testFile, ctx.cwd)), skipped: found.skipped.length };
}
