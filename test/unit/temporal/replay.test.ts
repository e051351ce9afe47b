import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryBuilder } from './history-builder.js';
import { bundle, replay, scheduledIn } from './replay-helpers.js';
import { cancelledHistory, continuedHistories, failedHistory, scheduledHistory, succeededHistory } from './scenarios.js';

const changedPath = fileURLToPath(new URL('./fixtures/changed-workflow.ts', import.meta.url));

/**
 * The workflow replayed against histories of every way a job ends: a change to the orchestration
 * that would break a running job's history fails here. Built histories (history-builder.ts) stand
 * in for recorded ones, since CI has no Temporal server. The SDK checks the command sequence and
 * the terminal command; the recorder adds the activity types and inputs.
 */
describe('pipelineWorkflow replay', () => {
  let workflows: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflows = await bundle();
  }, 120_000);

  const replaysExactly = async (history: HistoryBuilder, name: string): Promise<void> => {
    expect(await replay(workflows, history, name)).toEqual(scheduledIn(history));
  };

  it('bundles for the sandbox (bundleWorkflowCode: nothing with I/O is imported)', () => {
    expect(workflows.code).toContain('pipelineWorkflow');
    expect(workflows.code).not.toMatch(/require\(["'](better-sqlite3|pg|node:fs)["']\)/);
  });

  it('replays a 3-batch import that succeeds', async () => {
    const { history } = succeededHistory();
    expect(scheduledIn(history).map((a) => a.type)).toEqual(['planJob', 'runBatch', 'runBatch', 'runBatch', 'finalizeJob', 'notify']);
    await replaysExactly(history, 'succeeded');
  });

  it('replays a history recorded before notifications had a delivery id: activity inputs are not compared', async () => {
    const { history } = succeededHistory({ delivery: false });
    const replayed = await replay(workflows, history, 'before-delivery-ids');
    expect(replayed.map((a) => a.type)).toEqual(scheduledIn(history).map((a) => a.type));
    expect(replayed.at(-1)?.input).toMatchObject({ delivery: 'job-1.run-1.0.succeeded' });
  });

  it('replays a job whose batch fails after its retries: the others finish, finalize as failed, the workflow fails', async () => {
    await replaysExactly(failedHistory(), 'failed');
  });

  it('replays both runs of a job that continues as new with its cursor', async () => {
    const { first, second } = continuedHistories();
    await replaysExactly(first, 'continued-1');
    await replaysExactly(second, 'continued-2');
  });

  it('replays a cancelled job: the batch in flight finishes, no new one starts, finalize runs, the workflow ends Canceled', async () => {
    await replaysExactly(cancelledHistory(), 'cancelled');
  });

  it('replays a scheduled run: planScheduledRun, then the job as a child workflow', async () => {
    await replaysExactly(scheduledHistory(), 'scheduled');
  });

  it('a history whose terminal event differs from what the workflow does fails to replay', async () => {
    const history = failedHistory();
    const json = history.json();
    const last = json.events.at(-1)!;
    last['eventType'] = 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED';
    delete last['workflowExecutionFailedEventAttributes'];
    last['workflowExecutionCompletedEventAttributes'] = { workflowTaskCompletedEventId: String(json.events.length - 1) };
    await expect(replay(workflows, history, 'wrong-end')).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('fails with a DeterminismViolationError when the orchestration changed (the tests can fail)', async () => {
    const changed = await bundle(changedPath);
    await expect(replay(changed, succeededHistory().history, 'changed')).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
