import type { CliContext } from './context.js';

/** How long a first Ctrl-C or SIGTERM waits for the batches in flight before the process stops anyway. */
export const INTERRUPT_GRACE_MS = 10_000;

/**
 * Ctrl-C handling for a running job: the first SIGINT asks the job to stop after the batches in
 * flight (it ends `cancelled`, resumable); a second one exits at once — the store is still
 * consistent, since every batch commits atomically with its marker. So does the first one when the
 * batches in flight outlast the grace period (a batch of records that each spend their whole
 * mapping budget can take minutes): a signal always stops the run promptly.
 */
export function onInterrupt(ctx: CliContext): { requested: () => boolean; dispose: () => void } {
  let count = 0;
  let grace: NodeJS.Timeout | undefined;
  const stopNow = (): never => process.exit(130);
  const handler = (): void => {
    count++;
    if (count > 1) stopNow();
    ctx.stderr('stopping after the batches in flight (Ctrl-C again to stop now)…');
    grace = setTimeout(() => {
      ctx.stderr(`the batches in flight did not finish within ${INTERRUPT_GRACE_MS / 1000} s: stopping now (they roll back; ferry jobs resume continues the job)`);
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
