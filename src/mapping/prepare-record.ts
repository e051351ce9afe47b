import type { ColumnType } from '../connections/types.js';
import type { RejectError } from '../validation/reject.js';
import { validateUser } from '../validation/user-schema.js';
import { checkWellFormed, isUnder } from '../validation/well-formed.js';
import { coerceCells } from './coerce.js';
import { isPromise } from './is-promise.js';
import { noRuleErrors, type MapResult, type RecordMapper } from './mapper.js';

/** What the per-record step needs of a job: its mapping, checks and the target table's columns. */
export interface RecordStep {
  mapper: RecordMapper;
  checkRules: (values: Record<string, unknown>) => Promise<RejectError[]>;
  schema: 'user' | 'none';
  /** An identity mapping from a CSV file: cells are coerced to the column types. */
  csvIdentity: boolean;
  /** The target table's columns and types, and its name for messages. */
  types: ReadonlyMap<string, ColumnType>;
  table: string | undefined;
}

/**
 * Map, then check: well-formed values, the user rules, the table's columns (identity mapping), then
 * `validate.rules`. The one copy of what a record goes through before it is written: jobs
 * (run-batch), `ferry test` and `ferry preview` all call it.
 *
 * `sourceErrors` are what the source found in the record's text (SourceRecord.errors): those in a
 * field the mapping reads come first, and the record is mapped and checked as usual, so its reject
 * says everything at once. One in a field the mapping never reads (a 20-digit id beside the columns
 * an explicit mapping takes) is no reason to reject the record: nothing of that field is written.
 *
 * Well-formedness (no lone surrogate, no non-finite number) is checked here, on the mapped values,
 * because this is the one step every record passes whatever its source, mapping and schema, and
 * a mapping can make such a value as well as a file can carry one. A user rule about a value
 * already rejected as malformed would only repeat it ("expected integer" of an Infinity), so it
 * is left out.
 */
export function prepareRecord(
  step: RecordStep,
  record: Record<string, unknown>,
  sourceErrors: readonly RejectError[] = noSourceErrors,
): PreparedRecord | Promise<PreparedRecord> {
  // Synchronous when the mapping and the checks need no promise (compiled columns, no rules): an
  // async call and two awaits per record were about a tenth of an import's allocation. What fails
  // is still a rejected promise, as from the async function this was.
  try {
    const mapped = step.mapper.mapNow?.(record) ?? step.mapper.map(record);
    return isPromise(mapped) ? mapped.then((m) => checkRecord(step, m, sourceErrors)) : checkRecord(step, mapped, sourceErrors);
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/** A record's values as mapped and checked, and its errors (none when it is to be written). */
export interface PreparedRecord {
  values: Record<string, unknown>;
  errors: RejectError[];
}

function checkRecord(step: RecordStep, mapped: MapResult, sourceErrors: readonly RejectError[]): PreparedRecord | Promise<PreparedRecord> {
  const identity = step.mapper.columns === null;
  // What no store can keep as it is: said by the source (a number JSON.parse rounded), by a cell's conversion, or by the values.
  const malformed: RejectError[] = sourceErrors.filter((e) => step.mapper.reads(e.path));
  const values = step.csvIdentity ? coerceCells(mapped.values, step.types, malformed) : mapped.values;
  checkWellFormed(malformed, values);
  const errors = mapped.errors;
  // Pushed one by one, never spread: a record of 200,000 columns has as many errors, past what
  // a call's arguments can hold ("Maximum call stack size exceeded" failed the whole job).
  for (const e of malformed) errors.push(e);
  if (step.schema === 'user') {
    const found = validateUser(values, identity ? unknownFieldsRejected : unknownFieldsAllowed);
    // Built only when there is something to match: most records have nothing malformed.
    const reported = malformed.length > 0 ? new Set(malformed.map((e) => e.path)) : undefined;
    for (const e of found) if (reported === undefined || !isUnder(e.path, reported)) errors.push(e);
  }
  if (identity) {
    const reported = new Set(errors.filter((e) => e.code === 'UNKNOWN_FIELD').map((e) => e.path));
    for (const field of Object.keys(values)) {
      if (!step.types.has(field) && !reported.has(field))
        errors.push({ code: 'UNKNOWN_FIELD', message: `table ${step.table} has no column "${field}"`, path: field });
    }
  }
  if (errors.length === 0) {
    const ruled = step.checkRules(values);
    // A job without rules gets the one settled promise of no errors (mapper.ts): nothing to wait for.
    if (ruled !== noRuleErrors)
      return ruled.then((found) => {
        for (const e of found) errors.push(e);
        return { values, errors: capErrors(errors) };
      });
  }
  return { values, errors: capErrors(errors) };
}

const noSourceErrors: readonly RejectError[] = Object.freeze([]);
const unknownFieldsRejected = Object.freeze({ rejectUnknownFields: true });
const unknownFieldsAllowed = Object.freeze({ rejectUnknownFields: false });

/** The most errors one record's reject lists; the rest are counted in one more. */
export const MAX_RECORD_ERRORS = 20;

/**
 * A record's reject stays small whatever the record: 20,000 unknown columns are 20 errors and a
 * count, not 20,000 errors on every row (a 3,000-column file of 1,000 rows made 342 MB of rejects).
 * The last error says how many more there were, of which codes, under the commonest code.
 */
export function capErrors(errors: RejectError[]): RejectError[] {
  if (errors.length <= MAX_RECORD_ERRORS) return errors;
  const counts = new Map<RejectError['code'], number>();
  for (let i = MAX_RECORD_ERRORS; i < errors.length; i++) counts.set(errors[i]!.code, (counts.get(errors[i]!.code) ?? 0) + 1);
  const byCount = [...counts].sort((a, b) => b[1] - a[1]);
  const more = errors.length - MAX_RECORD_ERRORS;
  const message = `and ${more} more error(s) not listed: ${byCount.map(([code, n]) => `${n} ${code}`).join(', ')}`;
  return [...errors.slice(0, MAX_RECORD_ERRORS), { code: byCount[0]![0], path: '', message }];
}
