import { scanFile } from './byte-batches.js';
import { readRange } from './read-range.js';
import { NdjsonSplitter } from './ndjson-splitter.js';
import { jsonRecordOf } from './records.js';
import type { SourceDefinition } from './types.js';

export const NDJSON = 'ndjson';

/** Newline-delimited JSON (also `.jsonl`): one object per non-blank line, LF or CRLF. */
export const ndjsonSource: SourceDefinition = {
  name: NDJSON,

  scan(options, batchSize) {
    return scanFile({ format: NDJSON, path: options.path, splitter: new NdjsonSplitter(), batchSize });
  },

  read(options, range) {
    return readRange({
      format: NDJSON,
      path: options.path,
      range,
      splitter: new NdjsonSplitter(),
      toRecord: jsonRecordOf,
    });
  },
};
