import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, LeaseLost, type Liveness } from '../../../src/engine/embedded/journal.js';
import { ownerState, processStart } from '../../../src/engine/embedded/process-owner.js';
import { tempDir } from '../../helpers/cli.js';
import { testPlan } from '../../helpers/fake-activities.js';

const live = (state: ReturnType<typeof ownerState>): Liveness => ({ now: new Date(), staleMs: 10_000, state: () => state });

describe('the lease of an embedded job', () => {
  let journal: Journal;
  let cleanup: () => void;
  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    journal = new Journal(t.dir);
    journal.createJob(testPlan(), 'running', new Date().toISOString());
  });
  afterEach(() => {
    journal.close();
    cleanup();
  });

  it('fences off a holder whose job was taken over: it can neither record a step nor end the job', () => {
    const first = journal.claim('job-1', 1001, live('alive'))!;
    expect(journal.claim('job-1', 1002, live('alive'))).toBeUndefined();
    // Its owner found dead, the job is taken by another process with a higher token.
    const second = journal.claim('job-1', 1002, live('dead'))!;
    expect(second).toBe(first + 1);
    expect(journal.heartbeat('job-1', 1001, first, new Date())).toEqual({ held: false, cancelRequested: false });
    expect(() => journal.recordStep('job-1', 'runBatch:0', { batch: 0 }, new Date().toISOString(), first)).toThrow(LeaseLost);
    expect(journal.getStep('job-1', 'runBatch:0')).toBeUndefined();
    expect(() => journal.update('job-1', { status: 'succeeded' }, first)).toThrow(LeaseLost);
    journal.release('job-1', 1001, first); // the fenced holder's release leaves the new holder alone
    expect(journal.getJob('job-1')).toMatchObject({ status: 'running', ownerPid: 1002, lease: second });
    journal.recordStep('job-1', 'runBatch:0', { batch: 0 }, new Date().toISOString(), second);
    expect(journal.heartbeat('job-1', 1002, second, new Date()).held).toBe(true);
  });

  it('knows a process by its pid and start time: this one is alive, a reused pid or a missing one is dead', () => {
    if (process.platform !== 'linux') return expect(ownerState(process.pid, null)).toBe('unknown');
    const start = processStart(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(ownerState(process.pid, start)).toBe('alive');
    expect(ownerState(process.pid, String(Number(start) + 1))).toBe('dead');
    expect(ownerState(2 ** 22 + 1, null)).toBe('dead');
  });
});
