import jsonata from 'jsonata';
import type { RejectError } from '../validation/reject.js';

/** What expressions see besides the record: `$job`, and a clock frozen at the job's start. */
export interface MappingContext {
  id: string;
  pipeline: string;
  started_at: string;
}

export interface MapResult {
  values: Record<string, unknown>;
  errors: RejectError[];
}

/** Maps a source record to target columns. Built once per batch activity, used for every record. */
export interface RecordMapper {
  readonly columns: string[] | null;
  map(record: Record<string, unknown>): Promise<MapResult>;
}

type Compiled = { column: string; expr: jsonata.Expression };

/**
 * `columns` null = identity (each source field to the column of the same name). An evaluation
 * error is a MAPPING_ERROR reject with the column as path; an undefined result leaves the column out.
 */
export function createMapper(columns: Record<string, string> | null, ctx: MappingContext): RecordMapper {
  if (!columns) return { columns: null, map: async (record) => ({ values: { ...record }, errors: [] }) };
  const compiled: Compiled[] = Object.entries(columns).map(([column, text]) => ({ column, expr: compileExpression(text, ctx) }));
  const bindings = { job: ctx };
  return {
    columns: Object.keys(columns),
    async map(record) {
      const values: Record<string, unknown> = {};
      const errors: RejectError[] = [];
      for (const { column, expr } of compiled) {
        try {
          const value: unknown = await expr.evaluate(record, bindings);
          if (value !== undefined) values[column] = plain(value);
        } catch (err) {
          errors.push({ code: 'MAPPING_ERROR', message: evaluationMessage(err), path: column });
        }
      }
      return { values, errors };
    },
  };
}

/** `validate.rules`: JSONata checks over the mapped record; anything but true rejects it as RULE. */
export function createRuleChecker(rules: { check: string; message: string }[], ctx: MappingContext) {
  const compiled = rules.map((rule) => ({ ...rule, expr: compileExpression(rule.check, ctx) }));
  const bindings = { job: ctx };
  return async (values: Record<string, unknown>): Promise<RejectError[]> => {
    const errors: RejectError[] = [];
    for (const rule of compiled) {
      try {
        if ((await rule.expr.evaluate(values, bindings)) !== true) errors.push({ code: 'RULE', message: rule.message, path: '' });
      } catch (err) {
        errors.push({ code: 'RULE', message: `${rule.message} (${evaluationMessage(err)})`, path: '' });
      }
    }
    return errors;
  };
}

/** Compiles one expression with the job's frozen clock, so a replayed batch maps exactly as before. */
export function compileExpression(text: string, ctx: MappingContext): jsonata.Expression {
  const expr = jsonata(text);
  const millis = Date.parse(ctx.started_at);
  expr.registerFunction('now', () => ctx.started_at, '<s?s?:s>');
  expr.registerFunction('millis', () => millis, '<:n>');
  return expr;
}

/** JSONata marks result arrays as sequences; copy them into plain arrays before they are stored. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function evaluationMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `JSONata ${e.code}: ${e.message ?? ''}` : String(e.message ?? err);
}
