import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '../project/load-pipeline.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';

/** `ferry validate [files…]`: every diagnostic of every file at once; `ok <file>` for each valid one. */
export function validateCommand(ctx: CliContext, files: string[]): void {
  const project = ctx.project();
  const targets = files.length > 0 ? files : findPipelines(join(project.rootDir, 'pipelines'));
  if (targets.length === 0) {
    ctx.stderr('no pipeline files found under pipelines/');
    throw new CliExit(EXIT_FAILED);
  }
  let failed = 0;
  for (const file of targets) {
    const result = loadPipeline(project, ctx.cwd, file);
    if (result.ok) {
      ctx.stdout(`ok ${result.loaded.file}`);
    } else {
      failed++;
      for (const d of result.diagnostics) ctx.stdout(project.masker.mask(formatDiagnostic(d)));
    }
  }
  if (failed > 0) {
    ctx.stderr(`${failed} of ${targets.length} pipeline file(s) invalid`);
    throw new CliExit(EXIT_FAILED);
  }
}

/** Every *.yaml / *.yml below `dir`, sorted, skipping data folders' non-YAML files. */
export function findPipelines(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
