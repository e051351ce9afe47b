import type { CliContext } from './context.js';

/**
 * Ctrl-C handling for a running job: the first SIGINT asks the job to stop after the batches in
 * flight (it ends `cancelled`, resumable); a second one exits at once — the store is still
 * consistent, since every batch commits atomically with its marker.
 */
export function onInterrupt(ctx: CliContext): { requested: () => boolean; dispose: () => void } {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) ctx.stderr('stopping after the batches in flight (Ctrl-C again to stop now)…');
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => count > 0,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
