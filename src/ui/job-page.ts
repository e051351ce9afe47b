import { closeSync, constants, createReadStream, existsSync, fstatSync, lstatSync, openSync, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, relative, sep } from 'node:path';
import { backupPath, rejectsPath } from '../../activities/job-files.js';
import type { JobInfo } from '../engine/engine.js';
import { JobFolderRefused, jobFile, type JobFiles } from '../engine/job-folder.js';
import type { Project } from '../project/load-config.js';
import type { SecretMasker } from '../spec/secrets.js';
import { maskRecord } from '../validation/mask.js';
import { maskedJson, maskJson } from '../cli/mask-json.js';
import { sourceChange } from '../cli/source-change.js';
import { HttpError, startStream } from './http.js';
import { rejectsCsv } from './rejects.js';

export const ARTIFACTS = ['rejects.ndjson', 'rejects.csv', 'output', 'backup.ndjson'] as const;
export type ArtifactKind = (typeof ARTIFACTS)[number];

/** The job page's data: the job in full (secrets masked) and which artifacts can be downloaded. */
export function jobPage(job: JobInfo, masker: SecretMasker, projectDir: string) {
  const files = artifactFiles(job);
  const changed = job.endedAt === null ? undefined : sourceChange(job, (path) => relative(projectDir, path).split(sep).join('/'));
  const available = ARTIFACTS.filter((kind) => {
    const file = files[kind];
    // lstat: a link placed at the output's path is not the output (the download refuses it).
    return file !== undefined && existsSync(file) && (kind === 'output' ? lstatSync(file) : statSync(file)).isFile();
  });
  const page = maskJson(
    {
      pipeline: job.pipeline,
      pipelineFile: basename(job.plan.pipelineFile),
      engine: job.engine,
      kind: job.kind,
      status: job.status,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
      summary: job.summary,
      error: job.error,
      waiting: job.waiting,
      detail: job.detail,
      notifications: job.notifications,
      sample: job.sample ?? null,
      artifacts: available,
      /** The source file grew (or shrank) after the job planned it: rows added since were not read. */
      sourceChange: changed?.note ?? null,
    },
    (text) => masker.mask(text),
  );
  // The id unmasked: the page's actions name the job by it (a secret of digits may match its time).
  return { id: job.id, ...page };
}

/** Where each artifact is: all inside the job folder, except an export's output, which the engine names. */
function artifactFiles(job: JobInfo): Partial<Record<ArtifactKind, string>> {
  const rejects = job.artifacts?.rejectsFile ?? rejectsPath(job.jobDir);
  return {
    'rejects.ndjson': rejects,
    'rejects.csv': rejects,
    'backup.ndjson': backupPath(job.jobDir),
    ...(job.artifacts?.output ? { output: job.artifacts.output } : {}),
  };
}

/** The job's rejects file, for the rejects table; a 404 when the job has none (yet). */
export function rejectsFileOf(job: JobInfo, project: Pick<Project, 'rootDir' | 'stateDir'>): string {
  const file = artifactFiles(job)['rejects.ndjson'];
  if (!file || !existsSync(file)) throw new HttpError(404, `job ${job.id} has no reject report${job.status === 'running' ? ' yet (still running)' : ''}`);
  return insideJob(job, file, project);
}

/**
 * Streams one artifact. The page names a kind, never a path: the path comes from the engine's
 * record of the job, and is checked (after resolving links) to be inside the job folder, itself
 * inside the state dir's jobs folder, or to be the output the job wrote. The backup holds whole
 * rows: it is served with secrets masked.
 * `headOnly` (a HEAD request): the same checks and headers, and the file is not read at all.
 */
export async function sendArtifact(
  res: ServerResponse,
  job: JobInfo,
  kind: string,
  project: Pick<Project, 'rootDir' | 'stateDir' | 'masker'>,
  headOnly = false,
): Promise<void> {
  const mask = (text: string): string => project.masker.mask(text);
  if (!(ARTIFACTS as readonly string[]).includes(kind)) throw new HttpError(404, `no artifact "${kind.slice(0, 40)}" (known: ${ARTIFACTS.join(', ')})`);
  const file = artifactFiles(job)[kind as ArtifactKind];
  if (!file || !existsSync(file) || (kind !== 'output' && !statSync(file).isFile())) throw new HttpError(404, `job ${job.id} has no ${kind}`);
  if (kind === 'output') return sendOutput(res, job, file, project.rootDir, headOnly);
  const real = insideJob(job, file, project);
  const name = `${job.id}-${kind}`;
  const type = name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
  startStream(res, 200, { 'content-type': type, 'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"` });
  // Node discards a HEAD answer's body, but only after this would have read and masked all of it.
  if (headOnly) return void res.end();
  await streamTo(res, Readable.from(kind === 'rejects.csv' ? rejectsCsv(real, mask) : maskedLines(real, kind as 'backup.ndjson' | 'rejects.ndjson', mask)));
}

/** An NDJSON report line by line, each masked as `jobs errors` masks it: the project's secrets, and a backup's whole rows. */
async function* maskedLines(file: string, kind: 'backup.ndjson' | 'rejects.ndjson', mask: (text: string) => string): AsyncGenerator<string> {
  const input = createReadStream(file);
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      if (text === '') continue;
      const line = parsed(text);
      // A line that is not JSON (a report cut short by a crash) goes out as text, masked.
      if (line === undefined) yield mask(text) + '\n';
      else yield maskedJson(kind === 'backup.ndjson' ? { ...line, before: maskRecord(line['before']), after: maskRecord(line['after']) } : line, mask) + '\n';
    }
  } finally {
    input.destroy();
  }
}

/**
 * Sends a download, at the client's pace. A client gone mid-way ends it quietly and closes the
 * file: the loop waited for a 'drain' that never came, and each abandoned download held its file
 * open for good (enough of them and the console could open no file).
 */
async function streamTo(res: ServerResponse, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}

/**
 * An export's output: only a regular file inside the project, opened without following a link
 * (O_NOFOLLOW, then checked on the open file): a link or a folder put at the output's path, or an
 * output path leading out of the project through a linked folder, would serve another file.
 */
async function sendOutput(res: ServerResponse, job: JobInfo, file: string, projectDir: string, headOnly: boolean): Promise<void> {
  const refuse = (why: string): never => {
    throw new HttpError(403, `refused: the output of job ${job.id}, ${basename(file)}, ${why}; only the file the job wrote is served`);
  };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return refuse('is a symbolic link');
    if (code === 'ENOENT') throw new HttpError(404, `job ${job.id} has no output`);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) refuse('is not a regular file');
    const root = realpathSync(projectDir);
    if (!realpathSync(dirname(file)).startsWith(root + sep)) refuse('is not inside the project folder');
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const name = basename(file);
  const type = name.endsWith('.csv') ? 'text/csv; charset=utf-8' : name.endsWith('.json') ? 'application/json' : 'application/x-ndjson';
  startStream(res, 200, { 'content-type': type, 'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"` });
  if (headOnly) {
    closeSync(fd);
    return void res.end();
  }
  await streamTo(res, createReadStream('', { fd }));
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's real path, checked by `jobFile` (engine/job-folder.ts, which `jobs errors`, `rollback`
 * and `retry-rejects` use too): inside the job's folder, itself inside the state dir's jobs folder,
 * links resolved. A 403 when it leads elsewhere; a 404 when it (or the folder) is gone.
 */
function insideJob(job: JobInfo, file: string, project: Pick<Project, 'rootDir' | 'stateDir'>): string {
  try {
    const real = jobFile(job, file, jobFilesOf(project));
    // Gone between the look and the read (a prune, a deleted file): a 404, not a 500 naming the path.
    if (real === undefined) throw new HttpError(404, `job ${job.id} has no ${basename(file)} (deleted meanwhile)`);
    return real;
  } catch (err) {
    if (err instanceof JobFolderRefused) throw new HttpError(err.reason === 'gone' ? 404 : 403, err.message);
    throw err;
  }
}

/** Where the console reads jobs' files, and how its messages show a path: relative to the project folder. */
export function jobFilesOf(project: Pick<Project, 'rootDir' | 'stateDir'>): JobFiles {
  return { stateDir: project.stateDir, shown: (path) => relative(project.rootDir, path).split(sep).join('/') };
}
