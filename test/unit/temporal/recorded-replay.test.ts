import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
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
 * mid-batch; and test/integration/temporal-schedules.test.ts: the first and last runs of a job
 * that continued as new, gzipped) replayed against today's workflow code: a change that breaks determinism for jobs
 * already running fails here, in CI, without a server.
 */
const recorded = existsSync(fixtures)
  ? readdirSync(fixtures)
      .filter((f) => /\.json(\.gz)?$/.test(f))
      .sort()
  : [];

function load(file: string): { workflowId: string; history: ReturnType<typeof historyFromJSON> } {
  const bytes = readFileSync(`${fixtures}${file}`);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  const json = JSON.parse(text) as { workflowId: string; history: unknown };
  return { workflowId: json.workflowId, history: historyFromJSON(json.history) };
}

const sinks = { recorder: Object.fromEntries(['activity', 'signal', 'continued'].map((n) => [n, { fn: () => {}, callDuringReplay: false }])) };

describe('replay of recorded Temporal histories', () => {
  let workflows: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflows = await bundle();
  }, 120_000);

  it('has the recorded histories', () => {
    expect(recorded).toEqual([
      'cancelled.json',
      'continued-as-new-first-run.json.gz',
      'continued-as-new-last-run.json.gz',
      'reset.json',
      'succeeded.json',
      'worker-killed.json',
    ]);
  });

  it.each(recorded)('replays %s', async (file) => {
    const { workflowId, history } = load(file);
    await Worker.runReplayHistory({ workflowBundle: workflows, replayName: file, sinks }, history, workflowId);
  });

  it('a changed orchestration fails to replay a recorded history with a DeterminismViolationError', async () => {
    const changed = await bundle(changedPath);
    const { workflowId, history } = load('succeeded.json');
    await expect(Worker.runReplayHistory({ workflowBundle: changed, replayName: 'changed', sinks }, history, workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  }, 120_000);
});
