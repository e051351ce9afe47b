import type { Engine, PruneReport } from '../engine/engine.js';
import type { CliContext } from './context.js';
import { engineFor } from './engine.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { ageMs, JOB_AGE_EXPECTED } from '../spec/duration.js';
import { visibleText } from '../spec/visible-text.js';

export interface PruneCommandOptions {
  olderThan: string;
  dryRun?: boolean;
  includeBackups?: boolean;
  json?: boolean;
}

/**
 * `ferry jobs prune --older-than 30d`: deletes the jobs that ended longer ago than that (Engine.prune
 * says which stay); `--dry-run` lists them and deletes nothing. Export files and stores are never touched.
 */
export async function pruneJobsCommand(ctx: CliContext, options: PruneCommandOptions): Promise<void> {
  const age = ageMs(options.olderThan);
  if (age === undefined) throw new CliExit(EXIT_INVALID, `invalid --older-than "${options.olderThan}": ${JOB_AGE_EXPECTED}`);
  const engine = await engineFor(ctx);
  const report = await pruneOlderThan(engine, age, { dryRun: options.dryRun ?? false, includeBackups: options.includeBackups ?? false });
  if (options.json) return ctx.stdout(JSON.stringify({ dry_run: options.dryRun ?? false, ...report }));
  // Ids come from pipeline file names, which may hold ESC or a line break.
  for (const line of pruneLines(report, options.dryRun ?? false)) ctx.stdout(visibleText(line));
}

/** The prune both `jobs prune` and `serve`'s retention run. */
export function pruneOlderThan(engine: Engine, ageMs: number, options: { dryRun: boolean; includeBackups: boolean }, now = Date.now()): Promise<PruneReport> {
  return engine.prune({ endedBefore: new Date(now - ageMs), ...options });
}

export function pruneLines(report: PruneReport, dryRun: boolean): string[] {
  const verb = dryRun ? 'would prune' : 'pruned';
  const lines = report.pruned.map((j) => `${verb.padEnd(12)}${j.id} (${j.status}, ended ${j.endedAt})`);
  lines.push(...report.kept.map((k) => `${'kept'.padEnd(12)}${k.id}: ${k.reason}`));
  const bytes = report.pruned.reduce((sum, j) => sum + j.bytes, 0);
  lines.push(
    `${report.pruned.length} job(s) ${verb}${bytes > 0 ? ` (${(bytes / 1_048_576).toFixed(1)} MiB)` : ''}, ${report.kept.length} old job(s) kept${dryRun ? '; nothing was deleted (--dry-run)' : ''}`,
  );
  return lines;
}
