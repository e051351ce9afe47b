import { scanFile } from './byte-batches.js';
import { readRange } from './read-range.js';
import { JsonSplitter, describeByte } from './json-splitter.js';
import { jsonRecordOf } from './records.js';
import { SourceError } from './source-error.js';
import type { SourceDefinition } from './types.js';

export const JSON_FORMAT = 'json';

/**
 * One JSON array of user objects. The scan only delimits top-level elements (depth, strings,
 * escapes); each element is parsed when its batch is read, so one bad element is one PARSE_ERROR.
 * A file that is not an array, or whose array is not closed (a truncated file), fails the whole job.
 */
export const jsonSource: SourceDefinition = {
  name: JSON_FORMAT,

  async scan(options, batchSize) {
    const splitter = new JsonSplitter('file');
    const result = await scanFile({ format: JSON_FORMAT, path: options.path, splitter, batchSize });
    if (!splitter.sawArray) {
      throw new SourceError(`[source:${JSON_FORMAT}] expected a JSON array of users at byte ${result.bytes}, found ${describeByte(undefined)}`, {
        offset: result.bytes,
      });
    }
    // A cut-off file (`[{…},{…},` or a cut string) must not import as if it were whole.
    if (!splitter.closedArray) {
      throw new SourceError(
        `[source:${JSON_FORMAT}] ${options.path} ends at byte ${result.bytes} before the closing "]" of its array (after ${result.total} element(s)). Hint: the file looks cut short, or an element misses its closing "}"`,
        { offset: result.bytes },
      );
    }
    return result;
  },

  read(options, range) {
    return readRange({
      format: JSON_FORMAT,
      path: options.path,
      range,
      splitter: new JsonSplitter('range'),
      toRecord: jsonRecordOf,
    });
  },
};
