import { ServiceError, type Client, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { awaitOutcome } from '../../../src/engine/temporal/results.js';
import { emptySummary, type JobOutcome } from '../../../src/plan/orchestrate.js';

/**
 * Following a job through a Temporal server restart: the long poll for its result breaks with a
 * gRPC error when the server goes away, one the client's own retries may not cover (a stopped dev
 * server failed `ferry run` with "Failed to get Workflow execution history" in CI), and `ferry run`
 * must keep waiting instead of failing while the job goes on.
 */
const outcome: JobOutcome = { status: 'succeeded', summary: emptySummary(), error: null, artifacts: null, notifications: [] };

/** An error shaped as @grpc/grpc-js makes them (code, details, metadata), wrapped as the Temporal client wraps it. */
function broken(code: number, details: string): ServiceError {
  const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to get Workflow execution history', { cause: grpc });
}

/** A handle whose result() fails with each of `failures` in turn, then returns the outcome. */
function handle(failures: Error[]): { handle: WorkflowHandle; calls: () => number } {
  let calls = 0;
  const result = async (): Promise<JobOutcome> => {
    const failure = failures[calls++];
    if (failure) throw failure;
    return outcome;
  };
  return { handle: { result } as unknown as WorkflowHandle, calls: () => calls };
}

/** Each wait runs under a signal of its own (calls.ts `withOwnSignal`); the fake client just runs it. */
const client = { withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn() } as unknown as Client;

describe('awaitOutcome', () => {
  it('keeps waiting through a broken poll (CANCELLED, UNAVAILABLE) and returns the outcome', async () => {
    const h = handle([broken(1, 'Cancelled on client'), broken(14, 'No connection established')]);
    await expect(awaitOutcome(client, h.handle)).resolves.toEqual(outcome);
    expect(h.calls()).toBe(3);
  });

  it('throws any other error at once', async () => {
    const h = handle([broken(7, 'Request unauthorized.')]);
    await expect(awaitOutcome(client, h.handle)).rejects.toThrow('Failed to get Workflow execution history');
    expect(h.calls()).toBe(1);
    const plain = handle([new Error('not a gRPC error')]);
    await expect(awaitOutcome(client, plain.handle)).rejects.toThrow('not a gRPC error');
    expect(plain.calls()).toBe(1);
  });

  it('gives up once the server has been out of reach longer than the outage allowed', async () => {
    const h = handle(Array.from({ length: 100 }, () => broken(14, 'No connection established')));
    const started = Date.now();
    await expect(awaitOutcome(client, h.handle, { outageMs: 600 })).rejects.toThrow('Failed to get Workflow execution history');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(h.calls()).toBeGreaterThan(1);
    expect(h.calls()).toBeLessThan(10);
  });

  it('stops waiting when its signal aborts (the engine is closing): a cancelled poll is not retried', async () => {
    const controller = new AbortController();
    controller.abort();
    const h = handle([broken(1, 'Cancelled on client')]);
    await expect(awaitOutcome(client, h.handle, { signal: controller.signal })).rejects.toThrow('Failed to get Workflow execution history');
    expect(h.calls()).toBe(1);
  });
});
