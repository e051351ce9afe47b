import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFormat } from '../src/spec/pipeline-schema.js';
import { partsDir, writeFileAtomic } from './job-files.js';

/** One batch's share of an export file: its rows encoded, without the file's header or brackets. */
export const outputPartPath = (jobDir: string, batch: number, format: FileFormat): string =>
  join(partsDir(jobDir), `output-${String(batch).padStart(6, '0')}.${format}`);

/** Written once the export file is whole at its path: from then on its parts are only a second copy. */
const assembledPath = (jobDir: string): string => join(partsDir(jobDir), 'output.assembled');

export const isAssembled = (jobDir: string): boolean => existsSync(assembledPath(jobDir));

/**
 * Marks the export file as whole, then deletes its parts. The mark comes first, so a finalize
 * repeated after a crash half-way through the deletion knows the file is done instead of missing parts.
 */
export function dropOutputParts(jobDir: string, batches: number, format: FileFormat, output: string): void {
  if (!isAssembled(jobDir)) writeFileAtomic(assembledPath(jobDir), `${output}\n`);
  for (let batch = 0; batch < batches; batch++) rmSync(outputPartPath(jobDir, batch, format), { force: true });
}
