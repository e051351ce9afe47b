import { jsonError } from './cli-failure.js';
import type { CliContext } from './context.js';

/** How long a first Ctrl-C or SIGTERM waits for the batches in flight before the process stops anyway. */
export const INTERRUPT_GRACE_MS = 10_000;

/**
 * A repeat of the same signal this soon after it is the same request delivered twice, not a second
 * Ctrl-C: coreutils `timeout`, a process-group kill and `npx` (which forwards the terminal's SIGINT
 * to its child, that got it from the terminal already) all deliver one signal twice within
 * milliseconds. A person pressing Ctrl-C again after reading "stopping…" takes longer than this.
 */
export const REPEAT_WINDOW_MS = 500;

/** The exit code of a command a signal stopped before its job ended (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

export interface InterruptOptions {
  /** Where its messages go: through the progress bar, so they never land in the middle of it. */
  say?: (line: string) => void;
  /** The job being followed: a stop that ends the process says how to continue it. */
  job?: string;
  /**
   * This command only follows a job another process started (`run` of a submission already
   * running): a signal ends this command after saying this, and leaves the job alone.
   */
  detach?: string;
  /** Why the job is not running, when it is not (no worker): the grace period then ends with that, not with batches that never ran. */
  stalled?: () => string | undefined;
  /** `--json`: a stop that ends the process prints the error object a script reads, as any failed command does. */
  json?: boolean;
}

/** What to type to continue a job that did not finish. */
export function resumeHint(job: string): string {
  return `ferry jobs resume ${job} continues it`;
}

/**
 * Ctrl-C handling for a running job: the first SIGINT asks the job to stop after the batches in
 * flight (it ends `cancelled`, resumable); a second one exits at once — the store is still
 * consistent, since every batch commits atomically with its marker. So does the first one when the
 * batches in flight outlast the grace period (a batch of records that each spend their whole
 * mapping budget can take minutes): a signal always stops the run promptly. Only the process that
 * started the job stops it: a follower (`detach`) just stops following.
 */
export function onInterrupt(ctx: CliContext, options: InterruptOptions = {}): { requested: () => boolean; dispose: () => void } {
  let count = 0;
  const repeated = repeatFilter();
  let grace: NodeJS.Timeout | undefined;
  const say = options.say ?? ctx.stderr;
  const exit = (message: string): never => {
    if (options.json && !ctx.wroteStdout()) ctx.stdout(jsonError(message, EXIT_INTERRUPTED));
    process.exit(EXIT_INTERRUPTED);
  };
  const stopNow = (why: string): never => {
    if (options.job) say(resumeHint(options.job));
    return exit(options.job ? `${why}: job ${options.job} did not end; ${resumeHint(options.job)}` : why);
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (repeated(signal)) return;
    if (options.detach !== undefined) {
      say(options.detach);
      exit(options.detach);
    }
    count++;
    if (count > 1) stopNow(`stopped by a second ${signal}`);
    say('stopping after the batches in flight (Ctrl-C again to stop now)…');
    grace = setTimeout(() => {
      const why = options.stalled?.();
      const line = why
        ? `stopping now (${why}); the job ends cancelled once a worker takes it`
        : `the batches in flight did not finish within ${INTERRUPT_GRACE_MS / 1000} s: stopping now (they roll back)`;
      say(line);
      stopNow(`stopped by ${signal}: ${line}`);
    }, INTERRUPT_GRACE_MS);
    grace.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => count > 0,
    dispose: () => {
      clearTimeout(grace);
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** True for a signal that repeats the previous one within REPEAT_WINDOW_MS (one request delivered twice). */
export function repeatFilter(now = Date.now): (signal: NodeJS.Signals) => boolean {
  let last: { signal: NodeJS.Signals; at: number } | undefined;
  return (signal) => {
    const at = now();
    const repeat = last?.signal === signal && at - last.at < REPEAT_WINDOW_MS;
    if (!repeat) last = { signal, at };
    return repeat;
  };
}
