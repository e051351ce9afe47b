import type { FileFormat } from '../spec/pipeline-schema.js';
import type { RejectError } from '../validation/reject.js';

/** How an export file is written: its columns in order, and the CSV formula-injection guard. */
export interface TargetOptions {
  headers: readonly string[];
  /** CSV: neutralise cells a spreadsheet would run as a formula. */
  escapeFormulas: boolean;
}

/** One mapped row: header → value; a missing (undefined) or null value is an empty cell, or left out. */
export type ExportRow = Record<string, unknown>;

/**
 * An export file format. A file is `header`, then the batches' parts in order with `separator`
 * between two non-empty parts, then `footer` — so each batch encodes its part alone (in parallel,
 * on any worker) and finalizeJob only concatenates bytes.
 */
export interface TargetDefinition {
  readonly name: FileFormat;
  /** Written once at the start of the file (CSV: the header row; JSON: the opening bracket). */
  header(options: TargetOptions): Promise<string>;
  /** One batch's rows, in order; '' for no rows. Pure: the same rows always give the same text. */
  encode(rows: readonly ExportRow[], options: TargetOptions): Promise<string>;
  /**
   * Adds a FORMAT error for each value of a mapped row this format cannot carry as it is (CSV: a
   * NUL character); the row is then a reject instead of a line its readers stop at. Optional.
   */
  check?(row: ExportRow, options: TargetOptions, errors: RejectError[]): void;
  /** Written between two non-empty parts. */
  readonly separator: string;
  /** Written once at the end; `empty` when no part had a row. */
  footer(empty: boolean): string;
}
