import { readNdjson } from '../../activities/job-files.js';
import { jobFile } from '../engine/job-folder.js';
import { displayPath } from '../project/load-config.js';
import { csvTarget } from '../targets/csv.js';
import { formatValue, offendingValue } from '../validation/offending-value.js';
import type { Reject } from '../validation/reject.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { getJob } from './jobs.js';
import { escapeLoneSurrogates } from './lone-surrogates.js';
import { visibleText } from '../spec/visible-text.js';
import { maskedJson } from './mask-json.js';

export interface JobErrorsOptions {
  json?: boolean;
  format?: string;
}

const FORMATS = ['text', 'csv', 'json'] as const;
const CSV_HEADERS = ['row', 'code', 'path', 'value', 'message'];
/** How much of a value a text line shows; --format csv and --json carry it whole. */
const VALUE_WIDTH = 32;

/**
 * `ferry jobs errors <id>`: a count per reject code, then one line per error with the offending
 * value (as masked in the report, control characters escaped); `--format csv` the same rows for a
 * spreadsheet (RFC 4180, formula-escaped like a CSV export); `--json` / `--format json` the
 * report's own NDJSON lines. Text and CSV write a lone surrogate as `\ud800`, as JSON does.
 */
export async function jobErrorsCommand(ctx: CliContext, id: string, options: JobErrorsOptions): Promise<void> {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format)) throw new CliExit(EXIT_INVALID, `--format expects one of ${FORMATS.join(', ')}, got "${format}"`);
  const job = await getJob(ctx, id);
  const { masker, stateDir } = ctx.project();
  const noReport = `job ${id} has no reject report${job.status === 'running' ? ' yet (still running)' : ''}`;
  const reported = job.artifacts?.rejectsFile;
  if (!reported) throw new CliExit(EXIT_FAILED, noReport);
  // Where the record says, checked as the console checks it: inside the job's folder, itself in the state dir's jobs folder.
  const file = jobFile(job, reported, { stateDir, shown: (path) => displayPath(ctx.cwd, path) });
  if (file === undefined) throw new CliExit(EXIT_FAILED, `${noReport} (${displayPath(ctx.cwd, reported)} is gone)`);
  const shownFile = displayPath(ctx.cwd, reported);
  const out = (line: string): void => ctx.stdout(masker.mask(line));
  // Two passes over the report (it may hold millions of lines): the whole of it is read and checked
  // before a byte is written, so a damaged report fails with nothing on stdout — a CSV header or the
  // lines before the damage, piped into a file, looked like a complete result.
  const { records, perCode } = await countRejects(file, shownFile);
  if (format === 'json') {
    for await (const reject of rejectsIn(file, shownFile)) ctx.stdout(maskedJson(reject, (text) => masker.mask(text)));
    return;
  }
  const rows = async function* (): AsyncGenerator<string[]> {
    for await (const reject of rejectsIn(file, shownFile)) {
      for (const e of reject.errors) yield [String(reject.row), e.code, e.path, formatValue(offendingValue(reject, e, job.plan.columns)), e.message];
    }
  };
  if (format === 'csv') {
    const options = { headers: CSV_HEADERS, escapeFormulas: true };
    process.stdout.write(masker.mask(await csvTarget.header(options)));
    // Each field masked before it is encoded: CSV doubles a `"`, and a secret holding one would match no more.
    const cell = (field: string): string => escapeLoneSurrogates(masker.mask(field));
    for await (const row of rows())
      process.stdout.write(masker.mask(await csvTarget.encode([Object.fromEntries(CSV_HEADERS.map((h, i) => [h, cell(row[i]!)]))], options)));
    return;
  }
  // Report fields hold source data: masked whole first (a cut secret would not match), then escaped.
  const shown = (field: string): string => visibleText(escapeLoneSurrogates(masker.mask(field)));
  out(`${records} rejected record(s)${records > 0 ? ':' : ''}`);
  for (const [code, n] of [...perCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out(`  ${shown(code).padEnd(20)} ${n}`);
  if (records === 0) return;
  out('');
  out(`${'ROW'.padEnd(7)} ${'CODE'.padEnd(20)} ${'PATH'.padEnd(24)} ${'VALUE'.padEnd(VALUE_WIDTH)} MESSAGE`);
  for await (const [row, code, path, value, message] of rows()) {
    const cells = [shown(row!).padEnd(7), shown(code!).padEnd(20), (shown(path!) || '-').padEnd(24)];
    out(`${cells.join(' ')} ${(formatValue(shown(value!), VALUE_WIDTH) || '-').padEnd(VALUE_WIDTH)} ${shown(message!)}`);
  }
}

/** The first pass over a report: its rejects and errors per code, every line checked (`rejectsIn`). */
async function countRejects(file: string, shown: string): Promise<{ records: number; perCode: Map<string, number> }> {
  const perCode = new Map<string, number>();
  let records = 0;
  for await (const reject of rejectsIn(file, shown)) {
    records++;
    for (const e of reject.errors) perCode.set(e.code, (perCode.get(e.code) ?? 0) + 1);
  }
  return { records, perCode };
}

/**
 * The report's rejects, each checked to be one (a row number and a list of errors): a line of
 * other JSON, in a report damaged or edited by hand, stopped the command with "reject.errors is
 * not iterable". Lines that are not JSON are said by readNdjson, with the line.
 */
async function* rejectsIn(file: string, shown: string): AsyncGenerator<Reject> {
  let n = 0;
  for await (const reject of readNdjson<Reject>(file)) {
    n++;
    const ok = typeof reject === 'object' && reject !== null && typeof reject.row === 'number' && Array.isArray(reject.errors);
    if (!ok) throw new CliExit(EXIT_FAILED, `${shown}: record ${n} is not a reject (a row number and a list of errors): the report is damaged`);
    yield reject;
  }
}
