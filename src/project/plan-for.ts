import { createHash, randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import { usesLastSuccess } from '../query/resolve-dates.js';
import type { Project } from './load-config.js';
import type { LoadedPipeline } from './load-pipeline.js';
import { ownField, setOwnField } from '../validation/own-field.js';

/**
 * `<pipeline>-<yyyymmddThhmmss>-<12 hex>` (UTC). The id is the key of a job's batch markers in its
 * store, which journals of other projects (or machines) writing the same store do not see: two jobs
 * of one pipeline name started in the same second with the same id would each skip the batches the
 * other committed, as done, and report rows they never wrote. With 4 hex digits that was 1 in 65,536
 * for every pair (two serves' nightly 02:00 runs); 48 random bits make it about 1 in 2.8e14.
 * A pipeline without `name:` is named by its file,
 * which may hold what an id cannot: control characters (a line break split every line that
 * printed the id) become `_`, and the name is cut at 100 bytes of UTF-8, as `name:` is at 100
 * characters (120 × "Ü" made a job folder name past the file system's 255 bytes: the job was
 * submitted, then failed creating its folder).
 */
export function newJobId(pipeline: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${idPart(pipeline)}-${stamp}-${randomBytes(6).toString('hex')}`;
}

const ID_NAME_BYTES = 100;

function idPart(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '_');
  if (Buffer.byteLength(clean) <= ID_NAME_BYTES) return clean;
  let cut = '';
  for (const char of clean) {
    if (Buffer.byteLength(cut + char) > ID_NAME_BYTES) break;
    cut += char;
  }
  return cut;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface PlanOptions {
  /** `run --sample`. */
  sample?: number | undefined;
  /** `{last_success}` in the query: the start of the pipeline's last successful job (null: none yet). */
  lastSuccess?: string | null;
}

/**
 * A fresh plan of a pipeline about to run (run, serve, a Temporal schedule): `planFor`, after
 * asking the engine for the pipeline's last success when the query uses `{last_success}`.
 */
export async function planRun(
  history: Pick<Engine, 'lastSuccess'>,
  project: Project,
  loaded: LoadedPipeline,
  at = new Date(),
  options: Omit<PlanOptions, 'lastSuccess'> = {},
): Promise<JobPlan> {
  const source = loaded.pipeline.source;
  const cursor = 'query' in source && usesLastSuccess(source.query) ? { lastSuccess: await history.lastSuccess(loaded.name) } : {};
  return planFor(project, loaded, at, { ...options, ...cursor });
}

/** A fresh plan for a loaded pipeline: a new job id, now, its folder under the state dir; `sample` for `run --sample`. */
export function planFor(project: Project, loaded: LoadedPipeline, at = new Date(), options: PlanOptions = {}): JobPlan {
  const jobId = newJobId(loaded.name, at);
  const plan = buildJobPlan(loaded.pipeline, {
    jobId,
    pipeline: loaded.name,
    pipelineFile: loaded.path,
    pipelineHash: hashText(loaded.text),
    startedAt: at.toISOString(),
    jobDir: join(project.stateDir, 'jobs', jobId),
    ...(loaded.sourcePath ? { sourcePath: loaded.sourcePath } : {}),
    ...(loaded.sourceFormat ? { sourceFormat: loaded.sourceFormat } : {}),
    ...(loaded.targetPath ? { targetPath: loaded.targetPath } : {}),
    ...(loaded.targetFormat ? { targetFormat: loaded.targetFormat } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
    ...(options.lastSuccess !== undefined ? { lastSuccess: options.lastSuccess } : {}),
  });
  return { ...plan, stores: storesOf(project, planConnections(plan)) };
}

/** The connections a plan reads or writes, by name. */
export function planConnections(plan: JobPlan): string[] {
  return [plan.source, plan.target].flatMap((end) => (end.type === 'connection' ? [end.connection] : []));
}

/**
 * Connections as ferry.yaml describes them now: where each store is and its table. Kept in a job's
 * plan, so a resume or a rollback finds out when a connection's name has come to mean another
 * store; a name ferry.yaml lacks is left out. A SQLite store is its path from the project's folder.
 * A PostgreSQL one is its server and database with every environment value masked (the plan is
 * stored: no password, no query string), plus a digest of the unmasked user, host, port and
 * database, so a move hidden behind `${PGHOST}` is still seen.
 */
export function storesOf(project: Project, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const c = ownField(project.config.connections, name);
    if (c === undefined) continue;
    const where = c.driver === 'sqlite' ? relative(project.rootDir, c.path) || '.' : postgresServer(c.url, (text) => project.masker.mask(text));
    setOwnField(out, name, `${c.driver} ${where} table ${c.table}`);
  }
  return out;
}

function postgresServer(url: string, mask: (text: string) => string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(a URL that does not parse)';
  }
  const server = `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  return `${mask(server)} (digest ${digest(server)})`;
}

function digest(text: string): string {
  return hashText(text).slice(0, 12);
}
