import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { notAFile } from '../file-kind.js';
import { compileColumns } from '../mapping/compiler/index.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { isInsideFolder } from '../project/inside-folder.js';
import { displayPath, tooLarge } from '../project/load-config.js';
import type { LoadedPipeline } from '../project/load-pipeline.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { foreignYaml } from '../spec/foreign-yaml.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';

/** `ferry validate [files…]`: every diagnostic of every file at once; `ok <file>` for each valid one. */
export async function validateCommand(ctx: CliContext, files: string[], options: { verbose?: boolean } = {}): Promise<void> {
  const project = ctx.project();
  const folder = join(project.rootDir, 'pipelines');
  const found = files.length > 0 ? files : findPipelines(folder, { links: true });
  // Found, not named: another tool's YAML kept beside the pipelines is said once and skipped, not
  // reported as an invalid pipeline key by key. Named, a file is checked as a pipeline whatever it holds.
  const targets = files.length > 0 ? found : found.filter((file) => !skippedAsForeign(ctx, file));
  const skipped = found.length - targets.length;
  // Nothing to check is an input error (2), as for `ferry test` without cases: a CI step run in the wrong folder must not pass.
  if (targets.length === 0)
    throw new CliExit(
      EXIT_INVALID,
      `no pipelines found under ${displayPath(ctx.cwd, folder)}/ (*.yaml, *.test.yaml aside${skipped > 0 ? `; ${skipped} file(s) of other tools skipped` : ''}): name pipeline files (ferry validate <file>…), or create a project with ferry init`,
    );
  let failed = 0;
  let unread = 0;
  for (const file of targets) {
    const result = await loadCheckedPipeline(project, ctx.cwd, file);
    if (result.ok) {
      const warnings = result.warnings ?? [];
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

/** A found file that is some other tool's YAML (foreign-yaml.ts): a note saying why it is skipped. */
function skippedAsForeign(ctx: CliContext, file: string): boolean {
  const path = resolve(ctx.cwd, file);
  // A file that cannot be read, or too large for a pipeline, is reported by the load as such.
  if (notAFile(path, 'pipeline file') ?? tooLarge(path, 'pipeline file')) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const why = foreignYaml(text);
  if (why === undefined) return false;
  ctx.stdout(
    `skipped ${displayPath(ctx.cwd, path)}: not a Ferry pipeline, ${why}. Hint: keep other tools' YAML outside pipelines/; ferry validate ${displayPath(ctx.cwd, path)} checks it as a pipeline`,
  );
  return true;
}

/** `--verbose`: which columns run as compiled JavaScript and which in the JSONata interpreter, and why. */
function mappingLines(loaded: LoadedPipeline): string[] {
  const columns = loaded.pipeline.columns;
  if (!columns || typeof columns !== 'object') return ['  columns: identity (each field to the column of the same name)'];
  const expressions = Object.fromEntries(Object.entries(columns).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const { compiled, interpreted } = compileColumns(expressions);
  return [...compiled.map((column) => `  ${column}: compiled`), ...interpreted.map(({ column, reason }) => `  ${column}: interpreted (${reason})`)];
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
