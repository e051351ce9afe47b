import { waitingMessage, type WriteTarget } from '../../plan/write-target.js';
import { ownerState } from './process-owner.js';
import type { JobRecord, Journal, Liveness } from './journal.js';

export interface GateOptions {
  journal: Journal;
  /** Who counts as still running (a fresh heartbeat and a live pid), asked again at every poll. */
  liveness: () => Liveness;
  /** Ctrl-C or `ferry jobs cancel`: stop waiting. */
  cancelled: () => boolean;
  log?: (line: string) => void;
  /** Called once, when the job first has to wait: work worth doing now rather than after. */
  onBlocked?: () => Promise<void>;
  pollMs?: number;
}

const DEFAULT_POLL_MS = 250;

/**
 * Waits until the job may write its target, then marks it running: no live job is writing the
 * same table, or both are non-exclusive. Each poll is a read, and only a free target is taken in a
 * short write transaction, so the journal is never locked while waiting. Says once whom it waits
 * for (again if that changes). Returns false when cancelled while waiting: the job stays pending.
 */
export async function passTargetGate(job: JobRecord, target: WriteTarget, options: GateOptions): Promise<boolean> {
  const { journal } = options;
  let waitingFor: string | undefined;
  let stoppedSaid: number | undefined;
  for (;;) {
    const live = options.liveness();
    const blocker = journal.targetBlocker(job.id, target.key, target.shared, live) ?? journal.acquireTarget(job.id, target.key, target.shared, live);
    if (!blocker) return true;
    if (blocker.id !== waitingFor) {
      const first = waitingFor === undefined;
      waitingFor = blocker.id;
      stoppedSaid = undefined;
      options.log?.(waitingMessage(blocker.id, target));
      if (first) await options.onBlocked?.();
    }
    // A stopped holder keeps its table for as long as it stays stopped: say so, or this looks like a hang.
    const stopped = blocker.ownerPid !== null && ownerState(blocker.ownerPid, blocker.ownerStart) === 'stopped' ? blocker.ownerPid : undefined;
    if (stopped !== undefined && stopped !== stoppedSaid) {
      options.log?.(
        `job ${blocker.id} is held by process ${stopped}, which is stopped (SIGSTOP or Ctrl-Z): this job waits until it continues (kill -CONT ${stopped}) or ends`,
      );
    }
    stoppedSaid = stopped;
    if (options.cancelled()) return false;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
    if (options.cancelled()) return false;
  }
}
