import type { Client } from '@temporalio/client';
import type { JobStatus } from '../../plan/activity-types.js';
import { untilEnded, type FollowSettings } from './follow.js';

/**
 * Waits for a job asked to cancel to end, as `run` follows one: through a server restart, and not
 * for ever when no worker polls its task queue (a job no worker runs can only end once one does:
 * `jobs cancel` waited in silence until killed). Then it says so and resolves `running`; the
 * cancel stays recorded on the server, and the job ends cancelled once a worker takes it.
 */
export async function untilCancelled(
  client: Client,
  id: string,
  options: FollowSettings,
  { signal, log }: { signal: AbortSignal; log?: ((line: string) => void) | undefined },
): Promise<JobStatus> {
  const waiting = new AbortController();
  const stop = (): void => waiting.abort();
  signal.addEventListener('abort', stop, { once: true });
  let noWorker = false;
  const stalled = (): void => {
    noWorker = true;
    waiting.abort();
  };
  try {
    return (await untilEnded(client, id, { stalled }, options, waiting.signal)).status;
  } catch (err) {
    if (!noWorker || signal.aborted) throw err;
    const { taskQueue, address } = options.settings;
    log?.(
      `no worker is polling task queue ${taskQueue} on ${address}: job ${id} ends cancelled once one takes it ` +
        '(start one with `ferry worker` in the project folder); the cancel is recorded on the server',
    );
    return 'running';
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
