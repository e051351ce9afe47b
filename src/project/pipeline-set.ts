import type { Diagnostic } from '../spec/diagnostics.js';
import { offsetOf, parseYamlFile, positionOf, type YamlFile } from '../spec/yaml-document.js';
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
  // Each file parsed once, however many of its keys are named (a project of many pipelines to one file).
  const parsed = new Map<LoadedPipeline, YamlFile>();
  const placeOf = (p: LoadedPipeline, path: string[]): Place => {
    let y = parsed.get(p);
    if (y === undefined) parsed.set(p, (y = parseYamlFile(p.file, p.text)));
    return { file: p.file, ...positionOf(y, offsetOf(y, path)), path: path.join('.') };
  };
  const scheduled = pipelines.filter((p) => typeof p.pipeline.schedule === 'string');
  for (const pair of pairsBy(scheduled, (p) => p.name)) {
    const path = typeof pair[0].pipeline.name === 'string' ? ['name'] : ['schedule'];
    bothWays(pair, (self, other) => {
      const message = `another scheduled pipeline is named "${self.name}" (${shortPlace(placeOf(other, path))}): a schedule is named by its pipeline, so schedules apply and serve refuse both; rename one`;
      add({ ...placeOf(self, path), message });
    });
  }
  const exports = pipelines.filter((p) => p.targetPath !== undefined && !p.targetPath.includes('{job}'));
  for (const pair of pairsBy(exports, (p) => p.targetPath!)) {
    const shown = displayPath(cwd, pair[0].targetPath!);
    const path = ['target', 'file'];
    bothWays(pair, (self, other) => {
      const message = `${shown} is also the target of ${shortPlace(placeOf(other, path))}: each export replaces the file whole, so the one that finishes last drops the other's rows; give each its own file (or put {job} in the name)`;
      add({ ...placeOf(self, path), message, severity: 'warning' });
    });
  }
  return found;
}

type Place = Omit<Diagnostic, 'message' | 'severity'>;

/** `file:line:col` of a place, as a message names the other file. */
function shortPlace(place: Place): string {
  return `${place.file}:${place.line}:${place.col}`;
}

/** A clash is told in both files: each names the other. */
function bothWays(pair: [LoadedPipeline, LoadedPipeline], tell: (self: LoadedPipeline, other: LoadedPipeline) => void): void {
  tell(pair[0], pair[1]);
  tell(pair[1], pair[0]);
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
