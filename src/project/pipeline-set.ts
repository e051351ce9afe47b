import type { Diagnostic } from '../spec/diagnostics.js';
import { offsetOf, parseYamlFile, positionOf } from '../spec/yaml-document.js';
import type { LoadedPipeline } from './load-pipeline.js';
import { displayPath } from './load-config.js';

/**
 * Problems between the pipelines of one project, which no file shows alone, by pipeline file:
 * - two scheduled pipelines with one name: an error, as `ferry schedules apply` and `ferry serve`
 *   refuse them (a schedule is named by its pipeline);
 * - two exports to one file (the same template without `{job}`): a warning, since each export
 *   writes its file whole and renames it into place, so the one that finishes last replaces the
 *   other's rows without a word, a nightly loss nobody sees until the file is read.
 * Each diagnostic names the other file at its line and column.
 */
export function pipelineSetDiagnostics(pipelines: readonly LoadedPipeline[], cwd: string): Map<string, Diagnostic[]> {
  const found = new Map<string, Diagnostic[]>();
  const add = (d: Diagnostic) => found.set(d.file, [...(found.get(d.file) ?? []), d]);
  const scheduled = pipelines.filter((p) => typeof p.pipeline.schedule === 'string');
  for (const [first, second] of pairsBy(scheduled, (p) => p.name)) {
    const path = typeof first.pipeline.name === 'string' ? ['name'] : ['schedule'];
    for (const [self, other] of [
      [first, second],
      [second, first],
    ] as const) {
      add(
        at(
          self,
          path,
          `another scheduled pipeline is named "${self.name}" (${other.file}:${where(other, path)}): a schedule is named by its pipeline, so schedules apply and serve refuse both; rename one`,
        ),
      );
    }
  }
  const exports = pipelines.filter((p) => p.targetPath !== undefined && !p.targetPath.includes('{job}'));
  for (const [first, second] of pairsBy(exports, (p) => p.targetPath!)) {
    const shown = displayPath(cwd, first.targetPath!);
    for (const [self, other] of [
      [first, second],
      [second, first],
    ] as const) {
      const message = `${shown} is also the target of ${other.file}:${where(other, ['target', 'file'])}: each export replaces the file whole, so the one that finishes last drops the other's rows; give each its own file (or put {job} in the name)`;
      add({ ...at(self, ['target', 'file'], message), severity: 'warning' });
    }
  }
  return found;
}

/** Each pair of pipelines with one key: the first with each later one. */
function pairsBy(pipelines: readonly LoadedPipeline[], key: (p: LoadedPipeline) => string): [LoadedPipeline, LoadedPipeline][] {
  const seen = new Map<string, LoadedPipeline>();
  const pairs: [LoadedPipeline, LoadedPipeline][] = [];
  for (const p of pipelines) {
    const first = seen.get(key(p));
    if (first === undefined) seen.set(key(p), p);
    else if (first.path !== p.path) pairs.push([first, p]);
  }
  return pairs;
}

function at(p: LoadedPipeline, path: string[], message: string): Diagnostic {
  const y = parseYamlFile(p.file, p.text);
  return { file: p.file, ...positionOf(y, offsetOf(y, path)), path: path.join('.'), message };
}

function where(p: LoadedPipeline, path: string[]): string {
  const { line, col } = at(p, path, '');
  return `${line}:${col}`;
}
