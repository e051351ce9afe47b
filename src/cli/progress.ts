import cliProgress from 'cli-progress';
import type { JobProgress } from '../plan/orchestrate.js';

export interface ProgressReporter {
  update(progress: JobProgress): void;
  stop(): void;
}

/**
 * A bar with records/s, percentage and ETA on a terminal; plain lines (at most one every few
 * seconds) otherwise. Always on stderr, so `--json` keeps stdout to itself.
 */
export function createProgress(stream: NodeJS.WriteStream, enabled: boolean): ProgressReporter {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const started = Date.now();
  if (stream.isTTY) return barProgress(stream, started);
  let lastLine = 0;
  return {
    update({ summary }) {
      const now = Date.now();
      const last = summary.batches.done === summary.batches.total;
      if (!last && now - lastLine < 5000) return;
      lastLine = now;
      const done = processed(summary);
      const pct = summary.total ? Math.floor((100 * done) / summary.total) : 100;
      stream.write(`progress ${done}/${summary.total} records (${pct}%) · ${rate(done, started)} records/s · batches ${summary.batches.done}/${summary.batches.total}\n`);
    },
    stop: () => {},
  };
}

function barProgress(stream: NodeJS.WriteStream, started: number): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    { stream, format: ' {bar} {percentage}% | {value}/{total} records | {rate} records/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update({ summary }) {
      const done = processed(summary);
      if (!begun) {
        bar.start(summary.total, 0, { rate: 0 });
        begun = true;
      }
      bar.setTotal(summary.total);
      bar.update(done, { rate: rate(done, started) });
    },
    stop: () => {
      if (begun) bar.stop();
      begun = false;
    },
  };
}

function processed(summary: JobProgress['summary']): number {
  return summary.inserted + summary.updated + summary.unchanged + summary.rejected + summary.exported;
}

function rate(done: number, started: number): number {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? Math.round(done / seconds) : 0;
}
