import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTargetLockActivities } from '../../../src/engine/temporal/target-lock.js';
import { lockingPlanOf, retakeTable } from '../../../src/engine/temporal/target-resume.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import { TARGET_LOCK_WORKFLOW_TYPE } from '../../../workflows/target-definitions.js';
import type { TargetQueueState } from '../../../workflows/target-queue.js';
import { testPlan } from '../../helpers/fake-activities.js';
import type { HistoryBuilder } from './history-builder.js';
import { continuedLockedHistories, grantedHistory, lockPlan } from './lock-scenarios.js';
import { continuedHistories, succeededHistory } from './scenarios.js';

/**
 * The table lock's worker and client side, against a fake Temporal client: the activities in
 * MockActivityEnvironment (which table, which lock, which request; who still runs), and what
 * `ferry jobs resume` does before resetting a job that holds a table.
 */
const logger = new DefaultLogger('ERROR');

interface Recorded {
  started: { type: string; options: Record<string, unknown> }[];
  signals: { to: string; name: string; args: unknown[] }[];
}

function fakeClient(options: { describe?: (id: string) => Promise<{ status: { name: string } }>; states?: (TargetQueueState | Error)[] } = {}): {
  client: Client;
  recorded: Recorded;
} {
  const recorded: Recorded = { started: [], signals: [] };
  const client = {
    workflow: {
      signalWithStart: async (type: string, opts: Record<string, unknown>) => void recorded.started.push({ type, options: opts }),
      getHandle: (id: string) => ({
        describe: () => options.describe!(id),
        query: async () => {
          const next = options.states!.length > 1 ? options.states!.shift()! : options.states![0]!;
          if (next instanceof Error) throw next;
          return next;
        },
        signal: async (def: { name: string }, ...args: unknown[]) => void recorded.signals.push({ to: id, name: def.name, args }),
      }),
    },
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    withAbortSignal: <T>(_signal: AbortSignal, fn: () => Promise<T>) => fn(),
  } as unknown as Client;
  return { client, recorded };
}

const lockState = (...holders: string[]): TargetQueueState => ({
  holders: holders.map((workflowId) => ({ workflowId, shared: false, since: 0 })),
  waiting: [],
  told: {},
});

describe('table lock activities (MockActivityEnvironment)', () => {
  const env = () => new MockActivityEnvironment({ workflowExecution: { workflowId: 'job-7', runId: 'run-7' }, taskQueue: 'ferry-q' }, { logger });

  it('requestTarget asks the lock of the table the job writes (ferry.yaml names it when the pipeline does not), starting the lock if needed', async () => {
    const { client, recorded } = fakeClient();
    const acts = createTargetLockActivities({ client, connections: { users: { table: 'app_users' } } });
    const held = await env().run(acts.requestTarget, { plan: testPlan() });
    expect(held).toEqual({ lockId: 'ferry-target:ferry-q:users/app_users', connection: 'users', table: 'app_users' });
    expect(recorded.started).toHaveLength(1);
    expect(recorded.started[0]!.type).toBe(TARGET_LOCK_WORKFLOW_TYPE);
    expect(recorded.started[0]!.options).toMatchObject({
      workflowId: 'ferry-target:ferry-q:users/app_users',
      taskQueue: 'ferry-q',
      args: [{}],
      signal: { name: 'ferryTargetRequest' },
      signalArgs: [{ workflowId: 'job-7', shared: false }],
    });
    // Spelled in the pipeline, the same table is the same lock; `exclusive: false` asks to share it.
    const sharedPlan = testPlan({
      target: { connection: 'users', table: 'app_users', key: ['email'], upsert: false, metadata: 'merge' },
      batch: { size: 10, parallelism: 1, exclusive: false },
    } as never);
    expect(await env().run(acts.requestTarget, { plan: sharedPlan })).toEqual(held);
    expect(recorded.started[1]!.options['signalArgs']).toEqual([{ workflowId: 'job-7', shared: true }]);
  });

  it('requestTarget refuses a job that writes no table, without retrying', async () => {
    const { client } = fakeClient();
    const exportPlan = { ...testPlan(), kind: 'export', target: { type: 'file', path: '/out.csv', format: 'csv', escapeFormulas: true } } as JobPlan;
    const err = await env()
      .run(createTargetLockActivities({ client, connections: {} }).requestTarget, { plan: exportPlan })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('runningWorkflows keeps the running ones: closed and unknown workflows are not running; other errors are retried', async () => {
    const statuses: Record<string, string> = { a: 'RUNNING', b: 'COMPLETED', d: 'TERMINATED' };
    const describe = async (id: string) => {
      if (id === 'c') throw new WorkflowNotFoundError('not found', id, undefined);
      if (id === 'x') throw new Error('14 UNAVAILABLE: connection refused');
      return { status: { name: statuses[id]! } };
    };
    const acts = createTargetLockActivities({ client: fakeClient({ describe }).client, connections: {} });
    expect(await env().run(acts.runningWorkflows, { workflowIds: ['a', 'b', 'c', 'd'] })).toEqual({ running: ['a'] });
    const err = await env()
      .run(acts.runningWorkflows, { workflowIds: ['a', 'x'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
  });
});

describe('ferry jobs resume and the table lock', () => {
  const events = (h: HistoryBuilder) => h.history().events ?? [];

  it('finds the plan of jobs that use the lock (asked for it, or were handed it by continue-as-new), and only those', () => {
    expect(lockingPlanOf(events(grantedHistory()))).toEqual(lockPlan());
    expect(lockingPlanOf(events(continuedLockedHistories().second))).toEqual(lockPlan());
    // Recorded before the lock existed: resetting them must not take a table in their name.
    expect(lockingPlanOf(events(succeededHistory().history))).toBeUndefined();
    expect(lockingPlanOf(events(continuedHistories().second))).toBeUndefined();
  });

  it('takes the table again in the job name before the reset, saying once whom it waits for, and grants it again after', async () => {
    const { client, recorded } = fakeClient({ states: [new Error('no worker'), lockState('job-0'), lockState('job-0'), lockState('job-1')] });
    const lines: string[] = [];
    const taken = await retakeTable(client, 'job-1', events(grantedHistory()), { taskQueue: 'ferry', connections: {}, log: (l) => lines.push(l), pollMs: 1 });
    expect(taken).not.toBe('cancelled');
    expect(recorded.started.map((s) => s.options)).toMatchObject([
      { workflowId: 'ferry-target:ferry:users/', signalArgs: [{ workflowId: 'job-1', shared: true, resume: true }] },
    ]);
    expect(lines).toEqual([
      'waiting for job job-0, which is writing to users table (its default table) (set batch.exclusive: false in both pipelines to let them run together)',
    ]);
    await (taken as Exclude<typeof taken, 'cancelled' | undefined>).grantAgain();
    expect(recorded.started).toHaveLength(2);
    expect(recorded.started[1]!.options['signalArgs']).toEqual([{ workflowId: 'job-1', shared: true, resume: true }]);
  });

  it('Ctrl-C while waiting withdraws the request; jobs without the lock take nothing', async () => {
    const { client, recorded } = fakeClient({ states: [lockState('job-0')] });
    const options = { taskQueue: 'ferry', connections: { users: { table: 'users' } }, cancelled: () => true, pollMs: 1 };
    expect(await retakeTable(client, 'job-1', events(grantedHistory()), options)).toBe('cancelled');
    expect(recorded.signals).toEqual([{ to: 'ferry-target:ferry:users/users', name: 'ferryTargetRelease', args: [{ workflowId: 'job-1' }] }]);
    expect(await retakeTable(client, 'job-1', events(succeededHistory().history), options)).toBeUndefined();
    expect(recorded.started).toHaveLength(1);
  });
});
