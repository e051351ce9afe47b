import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import { createActivities } from '../../activities/index.js';
import type { App } from '../app.js';
import { DEFAULT_EXPORT_COLUMNS } from '../plan/export-columns.js';
import type { JobPlan } from '../plan/job-plan.js';
import { runPipelineJob } from '../plan/orchestrate.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import type { LoadedPipeline } from '../project/load-pipeline.js';
import { planFor } from '../project/plan-for.js';
import { QueryError } from '../query/query-error.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { HttpError } from './http.js';
import { pipelinesDir } from './pipelines.js';
import { hasErrorCode, MISSING_TABLE } from '../connections/errors.js';
import { ownField } from '../validation/own-field.js';

/** What the export builder holds: everything a pipeline file of an export says. */
export interface ExportDraft {
  name: string;
  connection: string;
  query: string;
  sort: { by: string; order: 'asc' | 'desc' } | null;
  format: 'csv' | 'json' | 'ndjson';
  /** In order: header → JSONata expression over the stored row (a path is one too). */
  columns: { header: string; expression: string }[];
}

export const defaultColumns = (): ExportDraft['columns'] => DEFAULT_EXPORT_COLUMNS.map(([header, expression]) => ({ header, expression }));

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The draft from a request body, every field checked (it becomes a YAML file). */
export function parseDraft(body: Record<string, unknown>): ExportDraft {
  const d = body['draft'] as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object') throw new HttpError(400, 'draft is required');
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string') throw new HttpError(400, `${what} must be a string`);
    return v;
  };
  const name = str(d['name'], 'name');
  if (!NAME.test(name)) throw new HttpError(400, `the name "${name.slice(0, 64)}" must be lowercase letters, digits, - and _ (it names the file)`);
  const format = str(d['format'], 'format');
  if (format !== 'csv' && format !== 'json' && format !== 'ndjson') throw new HttpError(400, 'format is csv, json or ndjson');
  const sortIn = d['sort'] as Record<string, unknown> | null | undefined;
  const sort = sortIn && sortIn['by'] ? { by: str(sortIn['by'], 'sort.by'), order: sortIn['order'] === 'asc' ? ('asc' as const) : ('desc' as const) } : null;
  if (!Array.isArray(d['columns']) || d['columns'].length === 0) throw new HttpError(400, 'an export needs at least one column');
  const columns = (d['columns'] as unknown[]).map((c, i) => {
    const col = (c ?? {}) as Record<string, unknown>;
    const header = str(col['header'], `columns[${i}].header`).trim();
    const expression = str(col['expression'], `columns[${i}].expression`).trim();
    if (!header || !expression) throw new HttpError(400, `column ${i + 1} needs a header and an expression`);
    return { header, expression };
  });
  const headers = new Set(columns.map((c) => c.header));
  if (headers.size !== columns.length) throw new HttpError(400, 'two columns have the same header');
  return { name, connection: str(d['connection'], 'connection'), query: str(d['query'] ?? '*', 'query') || '*', sort, format, columns };
}

/** The pipeline file of a draft kept at `file`: its export goes to exports/ of the project. */
export function draftYaml(app: App, draft: ExportDraft, file: string, stamp: '{date}' | '{job}'): string {
  const target = relative(dirname(file), join(app.project.rootDir, 'exports', `${draft.name}-${stamp}.${draft.format}`))
    .split(sep)
    .join('/');
  const pipeline = {
    name: draft.name,
    description: 'Built with the export builder of ferry ui',
    source: { connection: draft.connection, query: draft.query, ...(draft.sort ? { sort: draft.sort } : {}) },
    target: { file: target, ...(draft.format === 'csv' ? { escape_formulas: true } : {}) },
    columns: Object.fromEntries(draft.columns.map((c) => [c.header, c.expression])),
  };
  return `# yaml-language-server: $schema=../node_modules/ferry/schema/pipeline.schema.json\n${stringify(pipeline, { lineWidth: 0 })}`;
}

/** How many users the query matches: the count the export's planning pass would find. */
export async function liveCount(app: App, connection: string, query: string): Promise<{ count: number } | { error: string; offset: number | null }> {
  if (!ownField(app.project.config.connections, connection)) throw new HttpError(400, `unknown connection "${connection}"`);
  try {
    // Read only: a count of a store or table not made yet must not make it (empty).
    const store = await app.deps.pool.get(connection, undefined, 'read');
    await store.columns('read');
    const { total } = await store.planPages({ query: query.trim() || '*', size: 1_000_000 });
    return { count: total };
  } catch (err) {
    if (err instanceof QueryError) return { error: app.project.masker.mask(err.message), offset: err.offset };
    if (hasErrorCode(err, MISSING_TABLE)) return { error: app.project.masker.mask((err as Error).message), offset: null };
    throw err;
  }
}

const draftsDir = (app: App): string => join(app.project.stateDir, 'ui', 'drafts');

/**
 * The draft written under the state dir (ui/drafts/) and loaded as `ferry run` would load it: its
 * diagnostics (line:col in that file) come back as a 422.
 */
export async function loadDraft(app: App, draft: ExportDraft): Promise<LoadedPipeline> {
  const dir = draftsDir(app);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${draft.name}-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(file, draftYaml(app, draft, file, '{job}'));
  // A refused draft is deleted: no job reads it, and each refusal made another file.
  const result = await loadCheckedPipeline(app.project, app.project.rootDir, file).catch((err: unknown) => {
    rmSync(file, { force: true });
    throw err;
  });
  if (!result.ok) {
    rmSync(file, { force: true });
    throw new HttpError(422, result.diagnostics.map((d) => app.project.masker.mask(formatDiagnostic(d))).join('\n'));
  }
  return result.loaded;
}

/**
 * The first rows of the export, exactly as the file will hold them: the job's own activities run
 * with a sample of `rows` into a preview folder (no journal, no job), and the file is read back.
 * The folder and the draft `loaded` (loadDraft's) are deleted after.
 */
export async function previewExport(app: App, loaded: LoadedPipeline, rows = 10): Promise<{ format: string; text: string; rejected: number }> {
  const base = planFor(app.project, loaded, new Date(), { sample: rows });
  const dir = join(app.project.stateDir, 'ui', 'previews', base.jobId);
  if (base.target.type !== 'file') throw new HttpError(400, 'not an export');
  const plan: JobPlan = { ...base, jobDir: dir, target: { ...base.target, path: join(dir, `preview.${base.target.format}`) }, notify: [] };
  try {
    const outcome = await runPipelineJob(plan, createActivities(app.deps));
    if (outcome.status !== 'succeeded' || !outcome.artifacts?.output)
      throw new HttpError(422, app.project.masker.mask(`the preview failed: ${outcome.error ?? outcome.status}`));
    return { format: base.target.format, text: app.project.masker.mask(readFileSync(outcome.artifacts.output, 'utf8')), rejected: outcome.summary.rejected };
  } finally {
    // Shown once, kept nowhere: the preview's rows are users' data, and every preview made another folder.
    rmSync(dir, { recursive: true, force: true });
    if (loaded.path.startsWith(draftsDir(app) + sep)) rmSync(loaded.path, { force: true });
  }
}

/** "Save as pipeline": pipelines/<name>.yaml, never over an existing file, and only if `ferry validate` would accept it. */
export async function saveDraft(app: App, draft: ExportDraft): Promise<{ file: string }> {
  const file = join(pipelinesDir(app), `${draft.name}.yaml`);
  const taken = (): never => {
    throw new HttpError(409, `pipelines/${draft.name}.yaml exists already; choose another name`);
  };
  if (existsSync(file)) taken();
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, draftYaml(app, draft, file, '{date}'), { flag: 'wx' });
  } catch (err) {
    // A link at the path (existsSync follows it: one to nothing is "not there"), or a save of the same name meanwhile.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') taken();
    throw err;
  }
  const result = await loadCheckedPipeline(app.project, app.project.rootDir, file);
  if (!result.ok) {
    unlinkSync(file);
    throw new HttpError(422, result.diagnostics.map((d) => app.project.masker.mask(formatDiagnostic(d))).join('\n'));
  }
  return { file: relative(app.project.rootDir, file).split(sep).join('/') };
}
