import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, sep } from 'node:path';
import type { JobListing } from '../engine/engine.js';
import type { FileFormat } from '../spec/pipeline-schema.js';
import { visibleText } from '../spec/visible-text.js';
import { bodyChunks, HttpError } from './http.js';

const FORMATS: Record<string, FileFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };
const ID = /^[a-f0-9]{24}$/;
const UPLOAD_FILE = /^([a-f0-9]{24})\.(csv|json|ndjson)$/;
const PARTIAL_FILE = /^[a-f0-9]{24}\.partial$/;

/** How long an upload no job has read is kept: time to look at its dry run and start the job. */
export const UNUSED_UPLOAD_MS = 60 * 60 * 1000;

export interface Upload {
  id: string;
  path: string;
  format: FileFormat;
  /** The name the browser gave, shown back with its control and bidi characters escaped (never used as a path). */
  name: string;
  bytes: number;
}

/**
 * Uploaded source files: kept under `<state_dir>/uploads/` under a generated name (the browser's
 * file name decides only the format), mode 0600, read later as data by a pipeline, never run.
 * A name with path parts, control characters or an unknown extension gets a clear refusal before
 * anything is read. The body is streamed to disk (never held whole in memory); a body past the
 * size limit (413), empty, or holding a NUL byte (not text) is refused and what was written of it
 * deleted.
 *
 * Lifecycle: each job started from an upload is noted beside it (`<id>.jobs`, made empty with it). `sweep` deletes an
 * upload once no job may read it again: every job that read it succeeded with no rejects (a failed,
 * cancelled or interrupted job is resumed from it, and "retry rejects" reads rejected rows from it)
 * or is gone (`ferry jobs prune`); an upload no job read is deleted after UNUSED_UPLOAD_MS.
 */
export class Uploads {
  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Streams the request body into a new upload, or refuses it (nothing of it is left). */
  async receive(name: string, req: IncomingMessage, limit: number): Promise<Upload> {
    const format = formatOf(name);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw new HttpError(413, `"${shown(name)}" is too large: ${declared} bytes, the limit is ${limit} (ferry ui --max-upload)`);
    const id = randomBytes(12).toString('hex');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const partial = join(this.dir, `${id}.partial`);
    const out = await open(partial, 'wx', 0o600);
    let bytes = 0;
    try {
      for await (const chunk of bodyChunks(req)) {
        bytes += chunk.length;
        if (bytes > limit) throw new HttpError(413, `"${shown(name)}" is too large: more than ${limit} bytes, the limit (ferry ui --max-upload)`);
        if (chunk.includes(0)) throw new HttpError(400, `"${shown(name)}" is not a text file (it holds NUL bytes); upload CSV, JSON or NDJSON`);
        await out.write(chunk);
      }
      if (bytes === 0) throw new HttpError(400, `"${shown(name)}" is empty`);
      await out.close();
    } catch (err) {
      await out.close().catch(() => undefined);
      rmSync(partial, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new HttpError(507, `no room for "${shown(name)}" in ${this.dir} (${code}): free space on its disk (or raise the quota), then upload it again`);
      throw err;
    }
    const path = join(this.dir, `${id}.${format}`);
    // Its list of jobs, empty: what the sweep deletes. An upload without one (from a Ferry before
    // this lifecycle) may be read by a job that noted nothing, and is left alone.
    writeFileSync(join(this.dir, `${id}.jobs`), '', { mode: 0o600, flag: 'wx' });
    renameSync(partial, path);
    // Shown back on the page: a bidi override in it (U+202E) would show "\u202evsc.json" as "nosj.csv".
    return { id, path, format, name: visibleText(name), bytes };
  }

  /** An upload by its id, or a 404; the id is checked before it becomes part of a path. Its clock restarts (it is in use). */
  get(id: string): Pick<Upload, 'id' | 'path' | 'format'> {
    if (!ID.test(id)) throw new HttpError(400, 'not an upload id');
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      const path = join(this.dir, `${id}.${format}`);
      if (existsSync(path)) {
        const at = new Date(this.now());
        utimesSync(path, at, at);
        return { id, path, format };
      }
    }
    throw new HttpError(404, `no upload ${id} (an upload is deleted once the jobs that read it are done with it)`);
  }

  /** Notes that `job` reads `sourcePath`, when that is an upload: the upload is kept while the job may need it. */
  startedFrom(sourcePath: string, job: string): void {
    const id = this.idOf(sourcePath);
    if (id !== undefined) appendFileSync(join(this.dir, `${id}.jobs`), `${job}\n`, { mode: 0o600 });
  }

  /** Deletes the uploads no job may read again (see the class comment); `job` looks a job up (undefined: gone). */
  async sweep(job: (id: string) => Promise<JobListing | undefined>): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    const deleted: string[] = [];
    const old = (path: string): boolean => this.now() - statSync(path).mtimeMs > UNUSED_UPLOAD_MS;
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      // A body cut off by a crash of the server while it was received.
      if (PARTIAL_FILE.test(name) && old(path)) rmSync(path, { force: true });
      const id = UPLOAD_FILE.exec(name)?.[1];
      if (id === undefined) continue;
      const jobsFile = join(this.dir, `${id}.jobs`);
      if (!existsSync(jobsFile)) continue;
      const jobs = readFileSync(jobsFile, 'utf8').split('\n').filter(Boolean);
      if (jobs.length === 0 ? !old(path) : await anyMayRead(jobs, job)) continue;
      rmSync(path, { force: true });
      rmSync(jobsFile, { force: true });
      deleted.push(id);
    }
    return deleted;
  }

  private idOf(path: string): string | undefined {
    if (!path.startsWith(this.dir + sep)) return undefined;
    return UPLOAD_FILE.exec(path.slice(this.dir.length + 1))?.[1];
  }
}

/** A job not ended, resumable, or with rejects to retry (or counts not known) may read its upload again. */
async function anyMayRead(jobs: string[], job: (id: string) => Promise<JobListing | undefined>): Promise<boolean> {
  for (const id of jobs) {
    const info = await job(id);
    if (info && (info.status !== 'succeeded' || info.summary === null || info.summary.rejected > 0)) return true;
  }
  return false;
}

function formatOf(name: string): FileFormat {
  if (name.length === 0 || name.length > 255) throw new HttpError(400, 'the file name must be 1 to 255 characters');
  if (/[\u0000-\u001f\u007f/\\]/.test(name) || name === '.' || name === '..')
    throw new HttpError(400, `refused file name "${shown(name)}": no path separators or control characters`);
  const ext = /\.[a-z]+$/i.exec(name)?.[0]?.toLowerCase() ?? '';
  const format = FORMATS[ext];
  if (!format) throw new HttpError(400, `"${shown(name)}": upload a .csv, .json or .ndjson file`);
  return format;
}

/** A hostile name shown back with its control characters escaped. */
function shown(name: string): string {
  return visibleText(name.slice(0, 80));
}
