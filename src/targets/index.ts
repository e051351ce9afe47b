import type { FileFormat } from '../spec/pipeline-schema.js';
import { csvTarget } from './csv.js';
import { jsonTarget } from './json.js';
import { ndjsonTarget } from './ndjson.js';
import type { TargetDefinition } from './types.js';

/** Every export file format, by name (= its file name). A test checks that none is missing. */
export const targets = {
  csv: csvTarget,
  json: jsonTarget,
  ndjson: ndjsonTarget,
} satisfies Record<FileFormat, TargetDefinition>;

/** The target for a format; an unknown one is an error that lists the known formats. */
export function targetFor(format: string): TargetDefinition {
  if (!Object.hasOwn(targets, format)) {
    throw new Error(`unknown file format ${JSON.stringify(format)}; known formats: ${Object.keys(targets).join(', ')}`);
  }
  return targets[format as FileFormat];
}
