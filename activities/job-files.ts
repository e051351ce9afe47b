import { closeSync, createReadStream, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { PageCursor } from '../src/connections/types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { SourceScan } from '../src/sources/types.js';
import { namingWrite } from './write-refused.js';

/** The files of a job folder; every write goes to a temporary name first, then is renamed. */

export interface PlanFile {
  plan: JobPlan;
  /** Exports: the checksum and total of the planning scan, and no byte ranges (`pages` has the batches). */
  scan: SourceScan;
  /** Exports: the cursor before each batch's page of rows (`Connection.planPages`); one per batch. */
  pages?: (PageCursor | null)[];
  /** Exports: the cursor of the last planned row, where the last page ends (absent in plans written before it was kept). */
  last?: PageCursor | null;
  /**
   * Exports and migrations whose store took a snapshot of the rows to read (`snapshotPath`):
   * batch b reads its rows b × size + 1 to (b + 1) × size; `pages` and `last` are then unused.
   */
  snapshot?: true;
}

export const planPath = (jobDir: string): string => join(jobDir, 'plan.json');
export const rejectsPath = (jobDir: string): string => join(jobDir, 'rejects.ndjson');
export const partsDir = (jobDir: string): string => join(jobDir, 'parts');
export const rejectsPartPath = (jobDir: string, batch: number): string => join(partsDir(jobDir), `rejects-${String(batch).padStart(6, '0')}.ndjson`);

export const backupPath = (jobDir: string): string => join(jobDir, 'backup.ndjson');
/** The rows a job reads from a store, copied at planning (src/connections/sqlite/snapshot.ts). */
export const snapshotPath = (jobDir: string): string => join(jobDir, 'snapshot.db');
/** A migration's pages of a store read by cursors, each as its first read found it (activities/kept-page.ts). */
export const keptPagesDir = (jobDir: string): string => join(jobDir, 'pages');
export const keptPagePath = (jobDir: string, batch: number): string => join(keptPagesDir(jobDir), `page-${String(batch).padStart(6, '0')}.v8`);

/**
 * What one committed chunk of a batch left: its rejects (merged into the batch's part when the
 * batch ends) or its backup (joined into backup.ndjson at the end of the job, chunk by chunk, so
 * a batch that failed halfway still has its committed chunks' backup). Zero-padded, so the names
 * sort in (batch, chunk) order.
 */
export type ChunkKind = 'rejects' | 'backup';
export const chunkPath = (jobDir: string, kind: ChunkKind, batch: number, chunk: number): string =>
  join(partsDir(jobDir), `${kind}-${String(batch).padStart(6, '0')}.chunk-${String(chunk).padStart(4, '0')}.ndjson`);
export const chunkFilePattern = (kind: ChunkKind): RegExp => new RegExp(`^${kind}-\\d{6}\\.chunk-\\d{4}\\.ndjson$`);

/**
 * The NDJSON bytes of `items`, joined as text in pieces of at most `pieceChars` characters: one
 * string of a whole chunk's rejects (500 rows of 20,000 columns) passed V8's limit of about 512 Mi
 * characters and failed the job with a bare "Invalid string length".
 */
export function toNdjson(items: readonly unknown[], pieceChars = 64 * 1024 * 1024): Buffer {
  const pieces: Buffer[] = [];
  let lines: string[] = [];
  let length = 0;
  for (const item of items) {
    // String(): an item JSON cannot write (undefined) is the line "undefined", as `+ '\n'` made it.
    const line = String(JSON.stringify(item));
    lines.push(line);
    length += line.length + 1;
    if (length >= pieceChars) {
      pieces.push(linesToBytes(lines));
      lines = [];
      length = 0;
    }
  }
  pieces.push(linesToBytes(lines));
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/**
 * The lines, each ended by a newline, as UTF-8 written straight into one buffer: a line plus
 * '\n' and the joined text of all of them were two more copies of every line on the heap.
 */
function linesToBytes(lines: readonly string[]): Buffer {
  let size = 0;
  for (const line of lines) size += Buffer.byteLength(line, 'utf8') + 1;
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const line of lines) {
    at += bytes.write(line, at, 'utf8');
    bytes[at++] = 0x0a;
  }
  return bytes;
}

/** Marks a line of `numberedNdjson` that is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** The message for a line that is not JSON: never the parser's, which quotes the line (job files hold rows' values). */
export const NOT_JSON_LINE = 'not a JSON line (cut short or edited)';

/**
 * A job file's lines (as toNdjson writes them: rejects, backup), each parsed, with its line number;
 * blank lines skipped, NOT_JSON for a line that is not JSON. Stopping early closes the file.
 */
export async function* numberedNdjson(path: string): AsyncGenerator<{ number: number; value: unknown }> {
  const input = createReadStream(path);
  let number = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      number++;
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = NOT_JSON;
      }
      yield { number, value };
    }
  } finally {
    input.destroy();
  }
}

/** The objects of a job file, streamed; a line that is not JSON (a file damaged or cut short) fails with the file and the line. */
export async function* readNdjson<T>(path: string): AsyncGenerator<T> {
  for await (const { number, value } of numberedNdjson(path)) {
    if (value === NOT_JSON) throw new Error(`${path}:${number}: ${NOT_JSON_LINE}; the file is damaged`);
    yield value as T;
  }
}

/**
 * A file written piece by piece under a temporary name and renamed into place by `commit`, so its
 * path holds either nothing new or the whole file (as writeFileAtomic, without holding it whole in
 * memory). `abort` removes the temporary file. Opened by the first write.
 */
export interface PieceFile {
  write(text: string): void;
  commit(): void;
  abort(): void;
}

export function pieceFile(path: string): PieceFile {
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    write(text) {
      try {
        fd ??= openSync(tmp, 'w');
        writeSync(fd, text);
      } catch (err) {
        throw namingWrite(err, path);
      }
    },
    commit() {
      try {
        if (fd === undefined) writeFileSync(tmp, '');
        close();
        renameSync(tmp, path);
      } catch (err) {
        throw namingWrite(err, path);
      }
    },
    abort() {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

export function writeFileAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw namingWrite(err, path);
  }
}

/**
 * `path` made a second name of the whole file `from`, atomically as writeFileAtomic, without
 * reading or copying it: job files are never changed in place (each write renames a new file over
 * the old one), so the two names cannot drift apart. Copied where the file system has no hard links.
 */
export function linkFileAtomic(from: string, path: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    linkReplacing(from, tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (!noHardLinks(err)) throw namingWrite(err, path);
    return writeFileAtomic(path, readFileSync(from));
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw namingWrite(err, path);
  }
}

/**
 * `data` at `path` unless a file is there already: the bytes at `path` afterwards, ours or the
 * other writer's. Two writers of one path (two attempts of a batch) agree on the first one's bytes:
 * the link that publishes a file fails on an existing name, where a rename would replace it.
 */
export function writeFileOnce(path: string, data: Buffer): Buffer {
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    if (!publishOnce(tmp, path)) return readFileSync(path);
    return data;
  } catch (err) {
    throw namingWrite(err, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** `tmp` linked as `path` unless a file is there: false when one is. */
function publishOnce(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (!noHardLinks(err)) throw err;
  }
  // Without hard links, a check then a rename: only two writers at the same instant can race.
  if (existsSync(path)) return false;
  renameSync(tmp, path);
  return true;
}

/** Whether a link failed because the file system has no hard links (or refuses them). */
function noHardLinks(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK';
}

/** A hard link at `path`, over a stale one a crashed process of the same pid left there. */
function linkReplacing(from: string, path: string): void {
  try {
    linkSync(from, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(path, { force: true });
    linkSync(from, path);
  }
}

export function writePlanFile(file: PlanFile): void {
  mkdirSync(partsDir(file.plan.jobDir), { recursive: true });
  writeFileAtomic(planPath(file.plan.jobDir), JSON.stringify(file));
}

/** How many batches a plan has: a file's byte ranges, a store's pages, or its snapshot's rows by the batch size. */
export function plannedBatches({ plan, scan, pages, snapshot }: PlanFile): number {
  if (snapshot) return Math.ceil(scan.total / plan.batch.size);
  return pages?.length ?? scan.batches.length;
}

export function readPlanFile(jobDir: string): PlanFile {
  return JSON.parse(readFileSync(planPath(jobDir), 'utf8')) as PlanFile;
}
