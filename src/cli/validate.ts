import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { compileColumns } from '../mapping/compiler/index.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { isInsideFolder } from '../project/inside-folder.js';
import { displayPath } from '../project/load-config.js';
import { ferryFileProblem, MAX_YAML_FILE_BYTES } from '../project/read-ferry-file.js';
import { readRegularFileSync, type RegularFileRead } from '../sources/regular-file.js';
import type { LoadedPipeline, LoadResult } from '../project/load-pipeline.js';
import { pipelineSetDiagnostics } from '../project/pipeline-set.js';
import { formatDiagnostic, sortDiagnostics } from '../spec/diagnostics.js';
import { foreignYaml, type FerryFileKind } from '../spec/foreign-yaml.js';
import { visibleText } from '../spec/visible-text.js';
import { TEST_FILE } from '../pipeline-test/test-pipeline.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';

/** `ferry validate [files…]`: every diagnostic of every file at once; `ok <file>` for each valid one. */
export async function validateCommand(ctx: CliContext, files: string[], options: { verbose?: boolean } = {}): Promise<void> {
  const project = ctx.project();
  const folder = join(project.rootDir, 'pipelines');
  // Found, not named: another tool's YAML kept beside the pipelines is said once and skipped, not
  // reported as an invalid pipeline key by key. Named, a file is checked as a pipeline whatever it holds.
  const found = files.length > 0 ? { files, skipped: [] } : projectPipelines(folder, ctx.cwd);
  for (const { note } of found.skipped) ctx.stdout(note);
  const targets = found.files;
  const skipped = found.skipped.length;
  // Nothing to check is an input error (2), as for `ferry test` without cases: a CI step run in the wrong folder must not pass.
  if (targets.length === 0)
    throw new CliExit(
      EXIT_INVALID,
      `no pipelines found under ${displayPath(ctx.cwd, folder)}/ (*.yaml, *.test.yaml aside${skipped > 0 ? `; ${skipped} file(s) of other tools skipped` : ''}): name pipeline files (ferry validate <file>…), or create a project with ferry init`,
    );
  let failed = 0;
  let unread = 0;
  const results = [];
  for (const file of targets) results.push(await loadCheckedPipeline(project, ctx.cwd, file));
  const between = pipelineSetDiagnostics(
    results.flatMap((r) => (r.ok ? [r.loaded] : [])),
    ctx.cwd,
  );
  for (const checked of results) {
    const found = checked.ok ? (between.get(checked.loaded.file) ?? []) : [];
    const errors = found.filter((d) => d.severity !== 'warning');
    const result: LoadResult =
      checked.ok && errors.length > 0
        ? { ok: false, file: checked.loaded.file, diagnostics: sortDiagnostics([...(checked.warnings ?? []), ...found]) }
        : checked;
    if (result.ok) {
      const warnings = sortDiagnostics([...(result.warnings ?? []), ...found]);
      for (const d of warnings) ctx.stdout(project.masker.mask(formatDiagnostic(d)));
      ctx.stdout(`ok ${result.loaded.file}${warnings.length > 0 ? ` (${warnings.length} warning(s): they do not fail validate)` : ''}`);
      if (options.verbose) for (const line of mappingLines(result.loaded)) ctx.stdout(line);
    } else {
      if (result.unread) unread++;
      else failed++;
      for (const d of result.diagnostics) ctx.stdout(project.masker.mask(formatDiagnostic(d)));
    }
  }
  if (failed > 0) ctx.stderr(`${failed} of ${targets.length} pipeline file(s) invalid`);
  if (unread > 0) ctx.stderr(`${unread} of ${targets.length} pipeline file(s) could not be read`);
  // A file that cannot be read is an input error (exit 2, as \`ferry run\` exits for it); an invalid one fails validate (1).
  if (unread > 0) throw new CliExit(EXIT_INVALID);
  if (failed > 0) throw new CliExit(EXIT_FAILED);
}

/** `--verbose`: which columns run as compiled JavaScript and which in the JSONata interpreter, and why. */
function mappingLines(loaded: LoadedPipeline): string[] {
  const columns = loaded.pipeline.columns;
  if (!columns || typeof columns !== 'object') return ['  columns: identity (each field to the column of the same name)'];
  const expressions = Object.fromEntries(Object.entries(columns).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const { compiled, interpreted } = compileColumns(expressions);
  return [...compiled.map((column) => `  ${column}: compiled`), ...interpreted.map(({ column, reason }) => `  ${column}: interpreted (${reason})`)];
}

/** A file found under pipelines/ that is another tool's YAML, and the line saying why it is skipped. */
export interface SkippedFile {
  path: string;
  note: string;
}

/**
 * The project's pipelines under `dir` (with `tests`, their test files), as findPipelines finds
 * them with links, and apart from them the YAML files of other tools kept there (foreign-yaml.ts),
 * each with validate's note naming it from `cwd`. Every command that lists the project's pipelines
 * goes by this: validate and ferry test print the notes; schedules, serve, run --sample and the
 * console leave the files out (schedules apply refused to apply anything for a docker-compose
 * file, ferry test stopped at its docker-compose.test.yml, the console listed a workflow as an
 * invalid pipeline). A test file is another tool's when the pipeline beside it is (or, with none
 * beside it, when it is itself): `x.test.yml` of a real `x.yml` is that pipeline's cases, to run
 * and report whatever it holds.
 */
export function projectPipelines(dir: string, cwd: string, options: { tests?: boolean } = {}): { files: string[]; skipped: SkippedFile[] } {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const path of findPipelines(dir, { links: true, tests: options.tests ?? false })) {
    const why = options.tests ? foreignTestFile(path, cwd) : foreignFile(path, 'pipeline');
    if (why === undefined) files.push(path);
    else skipped.push({ path, note: skippedNote(cwd, path, options.tests ? 'test' : 'pipeline', why) });
  }
  return { files, skipped };
}

function skippedNote(cwd: string, path: string, kind: FerryFileKind, why: string): string {
  const shown = displayPath(cwd, path);
  const what = kind === 'test' ? 'test file' : 'pipeline';
  const named = kind === 'test' ? `ferry test ${shown} runs it as one` : `ferry validate ${shown} checks it as a pipeline`;
  // One line whatever the file's name or keys hold: a line break or ESC there is shown escaped, not acted on.
  return visibleText(`skipped ${shown}: not a Ferry ${what}, ${why}. Hint: keep other tools' YAML outside pipelines/; ${named}`);
}

function foreignTestFile(path: string, cwd: string): string | undefined {
  const pipeline = path.replace(TEST_FILE, extname(path));
  if (lstatSync(pipeline, { throwIfNoEntry: false }) === undefined) return foreignFile(path, 'test');
  const why = foreignFile(pipeline, 'pipeline');
  return why === undefined ? undefined : `${displayPath(cwd, pipeline)} beside it is not a Ferry pipeline: ${why}`;
}

/** Why the file is another tool's YAML; undefined for a file that may be Ferry's, or that cannot be read (its load says why). */
function foreignFile(path: string, kind: FerryFileKind): string | undefined {
  if (ferryFileProblem(path, 'file')) return undefined;
  // Read from one checked handle: the path may be a named pipe by now, and a read of one waits for
  // ever. Not UTF-8, another tool's file is still told by its keys (a Latin-1 comment in a workflow).
  let read: RegularFileRead;
  try {
    read = readRegularFileSync(path, MAX_YAML_FILE_BYTES);
  } catch {
    return undefined;
  }
  return 'bytes' in read ? foreignYaml(read.bytes.toString('utf8'), kind) : undefined;
}

/**
 * Every *.yaml / *.yml below `dir`, sorted, skipping data folders' non-YAML files; with `links`,
 * symlinks too (a pipeline shared between projects), each then checked where it leads, and the
 * folders symlinked ones lead to (a shared folder of pipelines). `ferry validate` lists them:
 * skipped, a linked pipeline went unchecked while validate said ok. A pipeline's test cases
 * (`<name>.test.yaml`, ferry test) are not pipelines: only `{ tests: true }` lists them.
 */
export function findPipelines(dir: string, options: { tests?: boolean; links?: boolean } = {}): string[] {
  const wanted = (name: string): boolean => /\.ya?ml$/.test(name) && /\.test\.ya?ml$/.test(name) === (options.tests ?? false);
  const found: string[] = [];
  const root = realPathOrNull(dir);
  const walked = new Set<string>(root ? [root] : []);
  const walk = (folder: string): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true, recursive: options.links !== true });
    } catch {
      return;
    }
    // In name order: of two links to one folder, the first by name is the path it is listed under.
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(e.parentPath, e.name);
      if (e.isFile() || (options.links === true && e.isSymbolicLink() && wanted(e.name))) {
        if (wanted(e.name)) found.push(path);
      } else if (options.links === true && (e.isDirectory() || e.isSymbolicLink())) {
        // A linked folder is walked once, and never one holding the project (a link to ..): that would list ferry.yaml.
        const real = realPathOrNull(path);
        if (real === null || walked.has(real) || (root !== null && isInsideFolder(real, root, { orSame: true })) || !statSync(real).isDirectory()) continue;
        walked.add(real);
        walk(path);
      }
    }
  };
  walk(dir);
  return found.sort();
}

function realPathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
