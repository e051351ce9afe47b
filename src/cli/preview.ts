import { usersTableColumns } from '../connections/users-table.js';
import { createMapper, createRuleChecker } from '../mapping/mapper.js';
import { prepareRecord } from '../mapping/prepare-record.js';
import { displayPath } from '../project/load-config.js';
import { loadPipeline } from '../project/load-pipeline.js';
import { planFor } from '../project/plan-for.js';
import { sourceFor } from '../sources/index.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { maskRecord } from '../validation/mask.js';
import { maskedJson } from './mask-json.js';
import type { RejectError } from '../validation/reject.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { wholeNumber } from './usage.js';

export const DEFAULT_PREVIEW = 5;

/**
 * `ferry preview <pipeline> [-n 5] [--json]`: the first n records of the source file as a job
 * would write them (mapped, coerced, checked: the same record step), each with its rejects. No
 * store is opened and no job is made; the target's columns are the built-in users table's.
 * Values are shown masked as in a reject report (password_hash, secrets).
 */
export async function previewCommand(ctx: CliContext, file: string, options: { n?: string; json?: boolean }): Promise<void> {
  const n = previewCount(options.n);
  const project = ctx.project();
  const loaded = loadPipeline(project, ctx.cwd, file);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  const plan = planFor(project, loaded.loaded);
  if (plan.source.type !== 'file')
    throw new CliExit(EXIT_INVALID, 'preview reads a source file; for an export, `ferry run <export> --sample` writes a few rows beside the target');
  const mapping = { id: plan.jobId, pipeline: plan.pipeline, started_at: plan.startedAt };
  const step = {
    mapper: createMapper(plan.columns, mapping),
    checkRules: createRuleChecker(plan.validate.rules, mapping),
    schema: plan.validate.schema,
    csvIdentity: plan.columns === null && plan.source.format === 'csv',
    types: new Map(usersTableColumns.map((c) => [c.name, c.type])),
    table: plan.target.type === 'connection' ? (plan.target.table ?? 'users') : undefined,
  };
  const { path, format, csv } = plan.source;
  const source = sourceFor(format);
  const scan = await source.scan({ path, format, csv }, n);
  const first = scan.batches[0];
  const out = (line: string): void => ctx.stdout(project.masker.mask(line));
  if (!options.json)
    out(
      `preview of ${plan.pipeline}: the first ${first?.count ?? 0} of ${scan.total} record(s) of ${displayPath(ctx.cwd, path)}, as they would be written (nothing is)`,
    );
  if (!first) return;
  for await (const item of source.read({ path, format, csv }, first, scan)) {
    let values: Record<string, unknown> | null = null;
    let errors: RejectError[];
    if ('error' in item) errors = [{ code: 'PARSE_ERROR', message: step.mapper.maskParseError(item.raw, item.error).message, path: item.path ?? '' }];
    else ({ values, errors } = await prepareRecord(step, item.record, item.errors));
    const shown = values === null ? null : (maskRecord(values) as Record<string, unknown>);
    if (options.json) {
      // Its strings masked, not its text: a secret of digits (a port) would match a row number.
      ctx.stdout(maskedJson({ row: item.row, values: shown, errors }, (text) => project.masker.mask(text)));
      continue;
    }
    out(`row ${item.row}: ${errors.length === 0 ? 'would be written' : 'rejected'}`);
    const width = Math.max(0, ...Object.keys(shown ?? {}).map((k) => k.length));
    for (const [column, value] of Object.entries(shown ?? {})) out(`  ${column.padEnd(width)}  ${JSON.stringify(value)}`);
    for (const e of errors) out(`  ! ${e.code} ${e.path || '(record)'}: ${e.message}`);
  }
}

function previewCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PREVIEW;
  return wholeNumber(value, '-n', 1);
}
