import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFormat } from '../spec/pipeline-schema.js';
import { visibleText } from '../cli/visible-text.js';
import { HttpError } from './http.js';

const FORMATS: Record<string, FileFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };
const ID = /^[a-f0-9]{24}$/;

export interface Upload {
  id: string;
  path: string;
  format: FileFormat;
  /** The name the browser gave, shown back (never used as a path). */
  name: string;
  bytes: number;
}

/**
 * Uploaded source files: kept under `<state_dir>/uploads/` under a generated name (the browser's
 * file name decides only the format), mode 0600, read later as data by a pipeline, never run.
 * A name with path parts, control characters or an unknown extension, and content that is not
 * text (a NUL byte), get a clear refusal before anything is written.
 */
export class Uploads {
  constructor(private readonly dir: string) {}

  save(name: string, body: Buffer): Upload {
    const format = formatOf(name);
    if (body.length === 0) throw new HttpError(400, `"${shown(name)}" is empty`);
    if (body.includes(0)) throw new HttpError(400, `"${shown(name)}" is not a text file (it holds NUL bytes); upload CSV, JSON or NDJSON`);
    const id = randomBytes(12).toString('hex');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${id}.${format}`);
    writeFileSync(path, body, { mode: 0o600, flag: 'wx' });
    return { id, path, format, name, bytes: body.length };
  }

  /** An upload by its id, or a 404; the id is checked before it becomes part of a path. */
  get(id: string): Pick<Upload, 'id' | 'path' | 'format'> {
    if (!ID.test(id)) throw new HttpError(400, 'not an upload id');
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      const path = join(this.dir, `${id}.${format}`);
      if (existsSync(path)) return { id, path, format };
    }
    throw new HttpError(404, `no upload ${id}`);
  }
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
