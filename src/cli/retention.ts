import type { App } from '../app.js';
import { ageMs } from '../spec/duration.js';
import { pruneLines, pruneOlderThan } from './jobs-prune.js';

/** How often `ferry serve` applies ferry.yaml's `retention:`. */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * ferry.yaml `retention:` under `ferry serve`: prunes the embedded engine's old jobs on start and
 * then every hour until `stop`, logging what went; a failed prune is logged and tried again next
 * time. Resolves at once without `retention:`.
 */
export async function retentionLoop(app: App, log: (line: string) => void, stop: AbortSignal, everyMs = RETENTION_EVERY_MS): Promise<void> {
  const retention = app.project.config.retention;
  if (!retention) return;
  const age = ageMs(retention.older_than) as number; // the config schema checked the format
  log(`retention: jobs that ended more than ${retention.older_than} ago are pruned now and every hour${retention.include_backups ? ', backups included' : ''}`);
  while (!stop.aborted) {
    try {
      const report = await pruneOlderThan(app.embedded(), age, { dryRun: false, includeBackups: retention.include_backups });
      if (report.pruned.length > 0) for (const line of pruneLines(report, false)) log(`retention: ${line}`);
    } catch (err) {
      log(`retention: prune failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, everyMs);
      stop.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
