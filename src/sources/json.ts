import { readWindows, scanFile } from './byte-batches.js';
import { LineCounter } from './lines.js';
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
    if (arrayEndProblem(splitter, options.path, result.bytes)) {
      // Where the file ends, as line:col: a cut-off minified array is one line of megabytes.
      throw arrayEndProblem(splitter, options.path, result.bytes, await endPlace(options.path));
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

/**
 * What is wrong with a JSON file the splitter has read to its end (`bytes` long): it held no array
 * (only blanks), or its array is not closed (a cut-off file, `[{…},{…},` or a cut string, must not
 * import as if it were whole). Undefined for a whole array. `place`: the `line:col` of its end, when known.
 */
export function arrayEndProblem(splitter: JsonSplitter, path: string, bytes: number, place?: string): SourceError | undefined {
  const where = place === undefined ? path : `${path}:${place}`;
  const options = { offset: bytes, ...(place === undefined ? {} : { place }) };
  if (!splitter.sawArray) {
    return new SourceError(`[source:${JSON_FORMAT}] ${where}: expected a JSON array of users at byte ${bytes}, found ${describeByte(undefined)}`, options);
  }
  if (splitter.closedArray) return undefined;
  return new SourceError(
    `[source:${JSON_FORMAT}] ${where}: the file ends at byte ${bytes} before the closing "]" of its array (after ${splitter.elementCount} element(s)). Hint: the file looks cut short, or an element misses its closing "}"`,
    options,
  );
}

/** `line:col` of the end of the file at `path`, read again (a failed scan's message only); undefined if it cannot be read. */
async function endPlace(path: string): Promise<string | undefined> {
  const lines = new LineCounter(1, 0);
  let offset = 0;
  try {
    await readWindows(path, (window) => {
      lines.advance(window, offset, offset + window.length);
      offset += window.length;
      return window.length;
    });
  } catch {
    return undefined;
  }
  return lines.column === -1 ? `${lines.line}` : `${lines.line}:${lines.column + 1}`;
}
