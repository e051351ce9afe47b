import { join } from 'node:path';
import type { FileFormat } from '../src/spec/pipeline-schema.js';
import { partsDir } from './job-files.js';

/** One batch's share of an export file: its rows encoded, without the file's header or brackets. */
export const outputPartPath = (jobDir: string, batch: number, format: FileFormat): string =>
  join(partsDir(jobDir), `output-${String(batch).padStart(6, '0')}.${format}`);
