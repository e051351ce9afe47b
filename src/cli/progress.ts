import { recordsDone } from '../plan/activity-types.js';
import type { JobProgress } from '../plan/orchestrate.js';
import { etaOf, recordsPerSecond } from './pace.js';

export interface ProgressReporter {
  update(progress: JobProgress): void;
  /** A message while the bar is drawn (Ctrl-C, a wait): on its own line, then the bar again below it. */
  say(line: string): void;
  stop(): void;
}

/** The widest bar drawn, and the narrowest worth drawing (below it only the figures are shown). */
const BAR_MAX = 40;
const BAR_MIN = 10;
/** How often the bar is redrawn at most. */
const REDRAW_MS = 100;

export interface ProgressOptions {
  /**
   * Records a resumed job had done before this run: its progress counts them (replayed from the
   * journal at once), its rate does not.
   */
  carried?: number;
}

/**
 * A one-line bar with percentage, counts, rejects, records/s and ETA, fitted to the terminal's
 * width, on a terminal; plain lines (at most one every few seconds) otherwise. Always on stderr,
 * so `--json` keeps stdout to itself. No colour is used, so NO_COLOR and FORCE_COLOR have nothing
 * to change.
 */
export function createProgress(stream: NodeJS.WriteStream, enabled: boolean, options: ProgressOptions = {}): ProgressReporter {
  const plainSay = (line: string): void => void stream.write(line + '\n');
  if (!enabled) return { update: () => {}, say: plainSay, stop: () => {} };
  const started = Date.now();
  const rate = (done: number): number | undefined => recordsPerSecond(done - (options.carried ?? 0), (Date.now() - started) / 1000);
  if (stream.isTTY) return barProgress(stream, rate);
  let lastLine = 0;
  return {
    update({ summary }) {
      const now = Date.now();
      const last = summary.batches.done === summary.batches.total;
      if (!last && now - lastLine < 5000) return;
      lastLine = now;
      const done = recordsDone(summary);
      const pct = summary.total ? Math.floor((100 * done) / summary.total) : 100;
      stream.write(
        `progress ${done}/${summary.total} records (${pct}%) · ${summary.rejected} rejected · ${rate(done) ?? '?'} records/s · batches ${summary.batches.done}/${summary.batches.total}\n`,
      );
    },
    say: plainSay,
    stop: () => {},
  };
}

function barProgress(stream: NodeJS.WriteStream, rate: (done: number) => number | undefined): ProgressReporter {
  let line = '';
  let drawnAt = 0;
  let latest: JobProgress['summary'] | undefined;
  const draw = (): void => {
    if (!latest) return;
    const done = recordsDone(latest);
    line = progressLine({ done, total: latest.total, rejected: latest.rejected, perSecond: rate(done) }, stream.columns || 80);
    stream.write(`\r${line}\x1b[K`);
    drawnAt = Date.now();
  };
  const clear = (): void => {
    if (line) stream.write('\r\x1b[K');
  };
  return {
    update({ summary }) {
      latest = summary;
      if (Date.now() - drawnAt >= REDRAW_MS || recordsDone(summary) === summary.total) draw();
    },
    say(text) {
      clear();
      stream.write(text + '\n');
      if (line) draw();
    },
    stop() {
      if (line) {
        draw();
        stream.write('\n');
      }
      line = '';
      latest = undefined;
    },
  };
}

export interface ProgressFigures {
  done: number;
  total: number;
  rejected: number;
  /** Undefined until there is an honest rate (pace.ts): shown as `?`. */
  perSecond: number | undefined;
}

/**
 * The bar's line for a terminal `columns` wide: never longer than columns − 1 (so the terminal
 * never wraps it and `\r` redraws it in place); the bar shrinks, then goes, before the figures do.
 */
export function progressLine(f: ProgressFigures, columns: number): string {
  const pct = f.total ? Math.floor((100 * f.done) / f.total) : 100;
  const eta = etaOf(f.total - f.done, f.perSecond) ?? '?';
  const perSecond = `${f.perSecond ?? '?'} records/s`;
  const figures = `${String(pct).padStart(3)}% | ${f.done}/${f.total} records | ${f.rejected} rejected | ${perSecond} | ETA ${eta}`;
  const room = columns - 1 - figures.length - 2;
  const width = Math.min(BAR_MAX, room);
  if (width < BAR_MIN) {
    // Narrower still: records/s goes before the ETA and the reject count are cut.
    const short = figures.length < columns ? figures : figures.replace(` | ${perSecond}`, '');
    return short.slice(0, Math.max(0, columns - 1));
  }
  const filled = f.total ? Math.round((width * f.done) / f.total) : width;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}  ${figures}`;
}
