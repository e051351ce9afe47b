import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { shownName, sortDiagnostics, type Diagnostic } from '../spec/diagnostics.js';
import { parsePipeline, type ParsedPipeline } from '../spec/parse-pipeline.js';
import { notReadInPipeline } from '../spec/env-references.js';
import type { FileFormat, Pipeline } from '../spec/pipeline-schema.js';
import { formatFromPath } from '../sources/index.js';
import { displayPath, foreignProjectConfig, type Project } from './load-config.js';
import { isNotA, unreadable } from '../file-kind.js';
import { readFerryFile } from './read-ferry-file.js';
import { sqliteFiles, targetConflict, type GuardedFile } from './target-path.js';
import { ownField } from '../validation/own-field.js';

/** A pipeline checked against its project, with the file paths it names made absolute. */
export interface LoadedPipeline {
  file: string;
  /** Absolute path of the pipeline file. */
  path: string;
  name: string;
  text: string;
  pipeline: Pipeline;
  /** Absolute source file path and format (file sources). */
  sourcePath?: string;
  sourceFormat?: FileFormat;
  /** Absolute target file template, placeholders still in it, and format (file targets). */
  targetPath?: string;
  targetFormat?: FileFormat;
}

/** `warnings` (from `loadCheckedPipeline`): problems guessed from a sample of the data, which do not make the pipeline invalid. */
export type LoadResult =
  | { ok: true; loaded: LoadedPipeline; warnings?: Diagnostic[] }
  /**
   * `shaped`: the pipeline despite its diagnostics, when the schema read it whole (see ParsedPipeline.shaped).
   * `unread`: the pipeline file itself could not be read (not found, a directory, no permission): an
   * input error, where the other diagnostics are an invalid pipeline.
   */
  | { ok: false; file: string; diagnostics: Diagnostic[]; shaped?: LoadedPipeline; unread?: true };

type Ends = Pick<LoadedPipeline, 'sourcePath' | 'sourceFormat' | 'targetPath' | 'targetFormat'>;

/**
 * Reads, parses and cross-checks a pipeline file against its project (connections exist, the
 * source file exists, formats are known): all diagnostics at once, or the loaded pipeline.
 */
export function loadPipeline(project: Project, cwd: string, file: string): LoadResult {
  const path = resolve(cwd, file);
  const shown = displayPath(cwd, path);
  const read = readFerryFile(path, 'pipeline file');
  if ('problem' in read) return { ok: false, file: shown, diagnostics: [{ file: shown, line: 0, col: 0, path: '', message: read.problem }], unread: true };
  if ('notUtf8' in read) return { ok: false, file: shown, diagnostics: [{ file: shown, ...read.notUtf8, path: '' }] };
  const { text } = read;
  const foreign = foreignProjectConfig(project, path);
  if (foreign !== undefined)
    return { ok: false, file: shown, diagnostics: [{ file: shown, line: 0, col: 0, path: '', message: foreignMessage(project, cwd, foreign) }] };
  const parsed = parsePipeline(shown, text);
  const ends: Ends = {};
  const references = checkReferences(project, cwd, path, parsed, ends);
  const loaded = (pipeline: Pipeline): LoadedPipeline => ({ file: shown, path, name: pipeline.name ?? basename(path, extname(path)), text, pipeline, ...ends });
  if (!parsed.pipeline || references.length > 0) {
    const diagnostics = sortDiagnostics([...parsed.diagnostics, ...references]);
    // A missing source or unknown connection would only add noise to the checks that follow.
    return { ok: false, file: shown, diagnostics, ...(parsed.shaped && references.length === 0 ? { shaped: loaded(parsed.shaped) } : {}) };
  }
  return { ok: true, loaded: loaded(parsed.pipeline) };
}

function foreignMessage(project: Project, cwd: string, foreign: string): string {
  const inUse = project.configFile
    ? `the one in use is ${displayPath(cwd, project.configFile)}`
    : 'none is in use here (no ferry.yaml in this folder or above)';
  return `this pipeline belongs to the project of ${displayPath(cwd, foreign)}, and ${inUse}: its connections would be other stores. Run it from ${displayPath(cwd, dirname(foreign))}, or name the config with --config`;
}

/** Checks what the pipeline names outside itself; runs on the raw document so it reports even when the schema fails. */
function checkReferences(project: Project, cwd: string, pipelineFile: string, parsed: ParsedPipeline, ends: Ends): Diagnostic[] {
  const baseDir = dirname(pipelineFile);
  const out: Diagnostic[] = [];
  const raw = (parsed.raw ?? {}) as Record<string, unknown>;
  const known = Object.keys(project.config.connections);
  for (const end of ['source', 'target'] as const) {
    const spec = raw[end] as Record<string, unknown> | undefined;
    if (!spec || typeof spec !== 'object') continue;
    if (typeof spec['connection'] === 'string' && !ownField(project.config.connections, spec['connection'])) {
      const hint = `known: ${known.map(shownName).join(', ') || 'none'}; define it in ferry.yaml`;
      out.push(parsed.diagnose([end, 'connection'], `unknown connection "${shownName(spec['connection'])}" (${hint})`));
    }
    if (typeof spec['file'] !== 'string') continue;
    const absolute = isAbsolute(spec['file']) ? spec['file'] : join(baseDir, spec['file']);
    const format = typeof spec['format'] === 'string' ? (spec['format'] as FileFormat) : formatFromPath(spec['file']);
    if (!format) out.push(parsed.diagnose([end, 'file'], `cannot tell the format from the extension; set ${end}.format (csv, json, ndjson)`));
    if (end === 'source') {
      Object.assign(ends, { sourcePath: absolute, sourceFormat: format });
      const problem = sourceFileProblem(absolute);
      const env = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(spec['file'])?.[0];
      const note = env && problem ? `; ${notReadInPipeline(env, 'write the path itself')}` : '';
      if (problem) out.push(parsed.diagnose([end, 'file'], `${problem}: ${displayPath(cwd, absolute)}${note}`));
    } else {
      Object.assign(ends, { targetPath: absolute, targetFormat: format });
    }
  }
  if (ends.targetPath) {
    const conflict = targetConflict(ends.targetPath, project.stateDir, guardedFiles(project, pipelineFile, ends.sourcePath));
    if (conflict) out.push(parsed.diagnose(['target', 'file'], `refusing to write ${displayPath(cwd, ends.targetPath)}: it ${conflict}`));
  }
  return out;
}

/**
 * Why a source path cannot be read as a file, or undefined. A FIFO, socket or device would hang
 * the plan's read (and is read twice: at planning and by each batch); a directory is no data.
 */
export function sourceFileProblem(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A dangling link is named with where it points, as ferry.yaml's is (read-ferry-file.ts): "not found" of a file `ls` lists.
    if ((code === 'ENOENT' || code === 'ENOTDIR') && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
      return `the source file is a symbolic link to ${shownName(readlinkSync(path))}, which does not exist`;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'source file not found';
    // A symlink loop (ELOOP), a folder it may not enter (EACCES): the system's reason, not "not found".
    return unreadable('source file', err);
  }
  if (stats.isFile()) return undefined;
  const why = stats.isDirectory() ? '' : '; Ferry reads a source twice (planning, then each batch), so copy it to a file first';
  return `the source file ${isNotA(stats)}${why}`;
}

/** What a file target must never overwrite: every SQLite store, ferry.yaml, this pipeline, its source. */
export function guardedFiles(project: Project, pipelineFile: string, sourcePath: string | undefined): GuardedFile[] {
  const out: GuardedFile[] = [];
  for (const [name, c] of Object.entries(project.config.connections)) {
    if (c.driver === 'sqlite' && c.path !== ':memory:') out.push(...sqliteFiles(c.path, `the SQLite store of connection "${name}"`));
  }
  if (project.configFile) out.push({ path: project.configFile, what: 'the project config ferry.yaml' });
  out.push({ path: pipelineFile, what: 'this pipeline file' });
  if (sourcePath) out.push({ path: sourcePath, what: "the job's source file" });
  return out;
}
