/** Reject codes (DESIGN.md "Records"): a rejected record is data, reported with row, code, message, path. */
export const rejectCodes = [
  'FORMAT',
  'INVALID_TYPE',
  'MIN_LENGTH',
  'MAX_LENGTH',
  'PATTERN',
  'ENUM_MISMATCH',
  'OBJECT_REQUIRED',
  'REQUIRED',
  'UNKNOWN_FIELD',
  'MAPPING_ERROR',
  'RULE',
  'DUPLICATED_USER',
  'DUPLICATE_IN_SOURCE',
  'CONFLICT',
  'PARSE_ERROR',
] as const;

export type RejectCode = (typeof rejectCodes)[number];

export interface RejectError {
  code: RejectCode;
  message: string;
  /** Dotted path of the offending field (`email`, `custom_password_hash.hash.encoding`, `mfa_factors[2]`); '' for the whole record. */
  path: string;
}

/** One line of a job's rejects.ndjson. */
export interface Reject {
  /** 1-based record number in the source (CSV: data rows after the header). */
  row: number;
  /**
   * 1-based line of the source file where the record starts (SourceRecord.line): not its row when a
   * quoted cell or a pretty-printed object spans lines. Absent for a store's rows, and for a job
   * planned before lines were counted.
   */
  line?: number;
  /** The record as read from the source, secrets masked; a string (the raw text) for PARSE_ERROR. */
  record: unknown;
  errors: RejectError[];
}
