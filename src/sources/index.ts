import { extname } from 'node:path';
import type { FileFormat } from '../spec/pipeline-schema.js';
import { csvSource } from './csv.js';
import { jsonSource } from './json.js';
import { ndjsonSource } from './ndjson.js';
import type { SourceDefinition } from './types.js';

/** Every file source, by format name (= its file name). A test checks that none is missing. */
export const sources = {
  csv: csvSource,
  json: jsonSource,
  ndjson: ndjsonSource,
} satisfies Record<FileFormat, SourceDefinition>;

/** The source for a format; an unknown one is an error that lists the known formats. */
export function sourceFor(format: string): SourceDefinition {
  if (!Object.hasOwn(sources, format)) {
    throw new Error(`unknown file format ${JSON.stringify(format)}; known formats: ${Object.keys(sources).join(', ')}`);
  }
  return sources[format as FileFormat];
}

const formatsByExtension: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** Guesses a file's format from its extension (case-insensitive); undefined when it cannot tell. */
export function formatFromPath(path: string): FileFormat | undefined {
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(formatsByExtension, ext) ? formatsByExtension[ext] : undefined;
}
