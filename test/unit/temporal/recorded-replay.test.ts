import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './replay-helpers.js';

const fixtures = fileURLToPath(new URL('../../fixtures/temporal-histories/', import.meta.url));
const changedPath = fileURLToPath(new URL('./fixtures/changed-workflow.ts', import.meta.url));

/**
 * Histories recorded from real jobs on a real Temporal server (test/integration/temporal-jobs.test.ts
 * with FERRY_RECORD_HISTORIES=1: succeeded, cancelled, reset by `jobs resume`, a worker killed
 * mid-batch) replayed against today's workflow code: a change that breaks determinism for jobs
 * already running fails here, in CI, without a server.
 */
const recorded = existsSync(fixtures) ? readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort() : [];

function load(file: string): { workflowId: string; history: ReturnType<typeof historyFromJSON> } {
  const json = JSON.parse(readFileSync(`${fixtures}${file}`, 'utf8')) as { workflowId: string; history: unknown };
  return { workflowId: json.workflowId, history: historyFromJSON(json.history) };
}

const sinks = { recorder: Object.fromEntries(['activity', 'signal', 'continued'].map((n) => [n, { fn: () => {}, callDuringReplay: false }])) };

describe('replay of recorded Temporal histories', () => {
  let workflows: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflows = await bundle();
  }, 120_000);

  it('has the recorded histories', () => {
    expect(recorded).toEqual(['cancelled.json', 'reset.json', 'succeeded.json', 'worker-killed.json']);
  });

  it.each(recorded)('replays %s', async (file) => {
    const { workflowId, history } = load(file);
    await Worker.runReplayHistory({ workflowBundle: workflows, replayName: file, sinks }, history, workflowId);
  });

  it('a changed orchestration fails to replay a recorded history with a DeterminismViolationError', async () => {
    const changed = await bundle(changedPath);
    const { workflowId, history } = load('succeeded.json');
    await expect(Worker.runReplayHistory({ workflowBundle: changed, replayName: 'changed', sinks }, history, workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
