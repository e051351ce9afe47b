import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { untilEnded } from '../../../src/engine/temporal/follow.js';
import { emptySummary, type JobOutcome } from '../../../src/plan/orchestrate.js';

const settings = { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'ferry-q' };
const outcome: JobOutcome = { status: 'succeeded', summary: emptySummary(), error: null, artifacts: null, notifications: [] };

/**
 * A client whose job no worker answers for `silentMs` (the progress query fails) and ends after
 * `endsMs`; the task queue shows no poller for its first `pollersBackMs` (a restarted server knows
 * none until the workers poll again), then one.
 */
function fakeClient({ silentMs, endsMs, pollersBackMs }: { silentMs: number; endsMs: number; pollersBackMs: number }): Client {
  const start = Date.now();
  const handle = {
    describe: () => Promise.resolve({ raw: { pendingActivities: [] } }),
    query: () => (Date.now() - start < silentMs ? Promise.reject(new Error('no worker')) : Promise.resolve({ status: 'running', summary: emptySummary() })),
    result: () => new Promise((resolve) => setTimeout(() => resolve(outcome), Math.max(0, endsMs - (Date.now() - start)))),
    cancel: () => Promise.resolve(),
  };
  return {
    workflow: { getHandle: () => handle },
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
    options: { namespace: 'default' },
    workflowService: {
      describeTaskQueue: () => Promise.resolve({ pollers: Date.now() - start < pollersBackMs ? [] : [{ lastAccessTime: msToTs(Date.now()) }] }),
    },
  } as unknown as Client;
}

describe('untilEnded: no worker on the task queue is said only when none comes back', () => {
  it('says nothing when the workers poll again soon after a first look found none (a restarted server)', { timeout: 20_000 }, async () => {
    const said: string[] = [];
    const client = fakeClient({ silentMs: 4000, endsMs: 5000, pollersBackMs: 2500 });
    await untilEnded(
      client,
      'job-1',
      { stalled: (why) => said.push(why) },
      { settings, pollMs: 100, noWorkerMs: 1000, secondLookMs: 2000 },
      new AbortController().signal,
    );
    expect(said).toEqual([]);
  });

  it('says it once when there is still none at the second look', { timeout: 20_000 }, async () => {
    const said: string[] = [];
    const client = fakeClient({ silentMs: 60_000, endsMs: 4000, pollersBackMs: 60_000 });
    await untilEnded(
      client,
      'job-1',
      { stalled: (why) => said.push(why) },
      { settings, pollMs: 100, noWorkerMs: 1000, secondLookMs: 2000 },
      new AbortController().signal,
    );
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('no worker is polling task queue ferry-q');
  });
});
