import type { CliContext } from './context.js';

/** How long a first Ctrl-C or SIGTERM waits for the batches in flight before the process stops anyway. */
export const INTERRUPT_GRACE_MS = 10_000;

export interface InterruptOptions {
  /** Where its messages go: through the progress bar, so they never land in the middle of it. */
  say?: (line: string) => void;
  /** The job being followed: a stop that ends the process says how to continue it. */
  job?: string;
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
 * mapping budget can take minutes): a signal always stops the run promptly.
 */
export function onInterrupt(ctx: CliContext, options: InterruptOptions = {}): { requested: () => boolean; dispose: () => void } {
  let count = 0;
  let grace: NodeJS.Timeout | undefined;
  const say = options.say ?? ctx.stderr;
  const stopNow = (): never => {
    if (options.job) say(resumeHint(options.job));
    process.exit(130);
  };
  const handler = (): void => {
    count++;
    if (count > 1) stopNow();
    say('stopping after the batches in flight (Ctrl-C again to stop now)…');
    grace = setTimeout(() => {
      say(`the batches in flight did not finish within ${INTERRUPT_GRACE_MS / 1000} s: stopping now (they roll back)`);
      stopNow();
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
