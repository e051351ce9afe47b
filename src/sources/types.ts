import type { FileFormat } from '../spec/pipeline-schema.js';
import type { RejectError } from '../validation/reject.js';

/** Options a file source is read with (from the pipeline's `source`, paths already absolute). */
export interface FileSourceOptions {
  path: string;
  format: FileFormat;
  csv: { delimiter: string; header: boolean; encoding: 'utf8' | 'latin1' };
}

/** A contiguous run of records: the bytes [start, end) of the file hold records firstRow … firstRow+count-1. */
export interface ByteRange {
  index: number;
  start: number;
  end: number;
  firstRow: number;
  count: number;
  /**
   * The batch's bytes as planned, checked before the batch yields a record, so a file rewritten
   * while the job runs is never half read. It keeps its own bounds: a retry reads the tail of the
   * range (start moved past the committed chunks) and still checks the whole of it. Absent in
   * plans made before it existed.
   */
  digest?: RangeDigest;
}

/** sha256 (hex) of the bytes [start, end) of the file. */
export interface RangeDigest {
  start: number;
  end: number;
  sha256: string;
  /**
   * The 1-based line of the file at `start` (line breaks: LF, CRLF, a bare CR), so a batch, or a
   * retry reading on from its last committed chunk, says the lines of its records without
   * counting from the file's start. Absent in plans made before it existed: no lines then.
   */
  line?: number;
  /** File offset of the first byte of that line (before `start` when the range starts mid-line, a JSON array's element). */
  lineStart?: number;
  /** The 1-based column (in characters) of `start` on its line; absent when the scan no longer held the line's start. */
  column?: number;
}

/** The result of one pass over a source: enough to read any batch independently of the others. */
export interface SourceScan {
  /** sha256 of the file's bytes, hex. */
  checksum: string;
  /** Number of records (malformed ones included: they become PARSE_ERROR rejects, and count in total). */
  total: number;
  bytes: number;
  batches: ByteRange[];
  /** CSV: the header's column names (or col1…colN without a header row). */
  header?: string[];
}

/**
 * One record read from a range: either a parsed object or the raw text of a malformed record. A
 * parsed record may carry `errors`, what its text said that the parsed object no longer shows (a
 * number JSON.parse rounded): the record is rejected with them, mapped and checked as usual.
 */
export type SourceRecord = (
  { row: number; record: Record<string, unknown>; errors?: RejectError[] } | { row: number; raw: string; error: string; path?: string }
) & {
  /**
   * The 1-based line of the file where the record starts, which is not its row when a quoted cell
   * or a pretty-printed object spans lines; absent when the plan did not count lines.
   */
  line?: number;
};

/**
 * The records of one range, in order. `position` is the file offset just past the last record
 * yielded (its line end included): a range that starts there and has the remaining count reads on
 * from the next record, which is how a retried batch resumes after its last committed chunk.
 */
export interface RangeReader extends AsyncIterableIterator<SourceRecord> {
  readonly position: number;
}

/** A file format. Implementations stream: memory stays constant whatever the file size. */
export interface SourceDefinition {
  readonly name: FileFormat;
  /**
   * Reads the whole file once: checksum, record count, and the byte range of every batch of
   * `batchSize` records. Boundaries fall between records (CSV: never inside a quoted field).
   */
  scan(options: FileSourceOptions, batchSize: number): Promise<SourceScan>;
  /**
   * Reads exactly the records of one range, in order, numbered from `range.firstRow`. A malformed
   * record yields `{ row, raw, error }` and reading goes on. Called again with the same range on a
   * retry, it must yield the same records.
   */
  read(options: FileSourceOptions, range: ByteRange, scan: Pick<SourceScan, 'header'>): RangeReader;
}
