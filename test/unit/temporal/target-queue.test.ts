import { describe, expect, it } from 'vitest';
import { testPlan } from '../../helpers/fake-activities.js';
import { waitingMessage } from '../../../src/plan/write-target.js';
import { writesTable } from '../../../workflows/target-definitions.js';
import {
  delivered,
  dropStopped,
  emptyQueue,
  GRACE_MS,
  holdersToCheck,
  isIdle,
  release,
  request,
  type Change,
  type TargetQueueState,
} from '../../../workflows/target-queue.js';

/** The table lock's queue logic (pure): who holds the table, who waits, and what each job is told. */
describe('table lock queue', () => {
  const excl = (workflowId: string) => ({ workflowId, shared: false });
  const shared = (workflowId: string) => ({ workflowId, shared: true });
  const holders = (s: TargetQueueState) => s.holders.map((h) => h.workflowId);
  const waiting = (s: TargetQueueState) => s.waiting.map((w) => w.workflowId);
  /** Applies requests in order from an empty queue at time 0, collecting the notices. */
  const requests = (...reqs: { workflowId: string; shared: boolean; resume?: boolean }[]): Change => {
    let change: Change = { state: emptyQueue(), notices: [] };
    for (const r of reqs) {
      const next = request(change.state, r, 0);
      change = { state: next.state, notices: [...change.notices, ...next.notices] };
    }
    return change;
  };

  it('an exclusive job holds the table alone: the next one waits, is told whom for, and gets it at release', () => {
    const { state, notices } = requests(excl('a'), excl('b'));
    expect(holders(state)).toEqual(['a']);
    expect(waiting(state)).toEqual(['b']);
    expect(notices).toEqual([
      { kind: 'granted', workflowId: 'a' },
      { kind: 'waiting', workflowId: 'b', blocker: 'a' },
    ]);
    const after = release(state, 'a', 5);
    expect(after.notices).toEqual([{ kind: 'granted', workflowId: 'b' }]);
    expect(after.state.holders).toEqual([{ workflowId: 'b', shared: false, since: 5 }]);
    expect(isIdle(release(after.state, 'b', 6).state)).toBe(true);
  });

  it('non-exclusive jobs hold it together; an exclusive one waits for all of them; first come, first served', () => {
    const { state, notices } = requests(shared('a'), shared('b'), excl('c'), shared('d'));
    expect(holders(state)).toEqual(['a', 'b']);
    // d could share with a and b, but c came first: it waits behind c (no starving of exclusive jobs).
    expect(waiting(state)).toEqual(['c', 'd']);
    expect(notices.filter((n) => n.kind === 'waiting')).toEqual([
      { kind: 'waiting', workflowId: 'c', blocker: 'a' },
      { kind: 'waiting', workflowId: 'd', blocker: 'a' },
    ]);
    // a leaves: b still holds; the waiting jobs are told they now wait for b.
    const one = release(state, 'a', 1);
    expect(holders(one.state)).toEqual(['b']);
    expect(one.notices).toEqual([
      { kind: 'waiting', workflowId: 'c', blocker: 'b' },
      { kind: 'waiting', workflowId: 'd', blocker: 'b' },
    ]);
    const two = release(one.state, 'b', 2);
    expect(holders(two.state)).toEqual(['c']);
    expect(two.notices).toEqual([
      { kind: 'granted', workflowId: 'c' },
      { kind: 'waiting', workflowId: 'd', blocker: 'c' },
    ]);
    expect(release(two.state, 'c', 3).notices).toEqual([{ kind: 'granted', workflowId: 'd' }]);
  });

  it('a non-exclusive job waits for an exclusive holder, and several shared waiters are granted together', () => {
    const { state } = requests(excl('a'), shared('b'), shared('c'), excl('d'));
    expect(waiting(state)).toEqual(['b', 'c', 'd']);
    const after = release(state, 'a', 1);
    expect(holders(after.state)).toEqual(['b', 'c']);
    expect(waiting(after.state)).toEqual(['d']);
  });

  it('asking again: a holder is granted again, a waiting job keeps its place and is not told again', () => {
    const { state } = requests(excl('a'), excl('b'), excl('c'));
    expect(request(state, excl('a'), 9)).toEqual({ state, notices: [{ kind: 'granted', workflowId: 'a' }] });
    expect(request(state, excl('b'), 9)).toEqual({ state, notices: [] });
    expect(waiting(request(state, excl('b'), 9).state)).toEqual(['b', 'c']);
  });

  it('a waiting job that withdraws leaves the queue; releasing an unknown job changes nothing', () => {
    const { state } = requests(excl('a'), excl('b'), excl('c'));
    const withdrawn = release(state, 'b', 1);
    expect(withdrawn.notices).toEqual([]);
    expect(waiting(withdrawn.state)).toEqual(['c']);
    expect(withdrawn.state.told).toEqual({ c: 'a' });
    expect(release(state, 'zz', 1)).toEqual({ state, notices: [] });
  });

  it('an undeliverable notice releases the job (its workflow is gone), unless `jobs resume` asked; a delivered grant ends that exemption', () => {
    const { state } = requests(excl('a'), excl('b'));
    const gone = delivered(state, { kind: 'granted', workflowId: 'a' }, false, 1);
    expect(holders(gone.state)).toEqual(['b']);
    expect(gone.notices).toEqual([{ kind: 'granted', workflowId: 'b' }]);

    const resumed = requests(excl('a'), { workflowId: 'r', shared: false, resume: true }).state;
    expect(delivered(resumed, { kind: 'waiting', workflowId: 'r', blocker: 'a' }, false, 1)).toEqual({ state: resumed, notices: [] });
    const holding = release(resumed, 'a', 2).state;
    expect(holding.holders).toEqual([{ workflowId: 'r', shared: false, resume: true, since: 2 }]);
    expect(delivered(holding, { kind: 'granted', workflowId: 'r' }, false, 3).state).toBe(holding);
    expect(delivered(holding, { kind: 'granted', workflowId: 'r' }, true, 3).state.holders).toEqual([{ workflowId: 'r', shared: false, since: 2 }]);
    // A notice for a job that already left changes nothing.
    expect(delivered(holding, { kind: 'granted', workflowId: 'a' }, false, 3)).toEqual({ state: holding, notices: [] });
  });

  it('`jobs resume` of a job the lock still counts (its run ended without releasing) keeps it there through the undeliverable notices', () => {
    const { state } = requests(excl('a'), excl('b'));
    // a's run was terminated; before the liveness check notices, `jobs resume a` asks for it.
    const again = request(state, { workflowId: 'a', shared: false, resume: true }, 50_000);
    expect(again.notices).toEqual([{ kind: 'granted', workflowId: 'a' }]);
    expect(again.state.holders).toEqual([{ workflowId: 'a', shared: false, resume: true, since: 50_000 }]);
    expect(delivered(again.state, again.notices[0]!, false, 50_001).state).toBe(again.state);
    // Its grace starts again: the reset has a minute before a liveness check may drop it.
    expect(holdersToCheck(again.state, 50_000 + GRACE_MS - 1)).toEqual([]);
    const waiter = request(state, { workflowId: 'b', shared: false, resume: true }, 1).state;
    expect(waiter.waiting).toEqual([{ workflowId: 'b', shared: false, resume: true }]);
    expect(delivered(waiter, { kind: 'waiting', workflowId: 'b', blocker: 'a' }, false, 2).state).toBe(waiter);
  });

  it('checks holders only after GRACE_MS, and drops the checked ones that are not running', () => {
    let state = requests(shared('a')).state;
    state = request(state, shared('b'), 30_000).state;
    expect(holdersToCheck(state, GRACE_MS - 1)).toEqual([]);
    expect(holdersToCheck(state, GRACE_MS)).toEqual(['a']);
    expect(holdersToCheck(state, GRACE_MS + 30_000)).toEqual(['a', 'b']);
    state = request(state, excl('c'), 40_000).state;
    const dropped = dropStopped(state, ['a', 'b'], ['b'], 70_000);
    expect(holders(dropped.state)).toEqual(['b']);
    expect(dropped.notices).toEqual([{ kind: 'waiting', workflowId: 'c', blocker: 'b' }]);
    const both = dropStopped(state, ['a', 'b'], [], 70_000);
    expect(both.notices).toEqual([
      { kind: 'waiting', workflowId: 'c', blocker: 'b' },
      { kind: 'granted', workflowId: 'c' },
    ]);
    expect(holders(both.state)).toEqual(['c']);
  });

  it('never changes the state it is given (it is carried in workflow history and across continue-as-new)', () => {
    const { state } = requests(excl('a'), excl('b'));
    const frozen = JSON.stringify(state);
    release(state, 'a', 1);
    request(state, excl('c'), 1);
    delivered(state, { kind: 'granted', workflowId: 'a' }, false, 1);
    dropStopped(state, ['a'], [], 1);
    expect(JSON.stringify(state)).toBe(frozen);
  });
});

describe('which jobs wait for their table, and what they say', () => {
  it('jobs writing a store wait; exports and dry runs do not', () => {
    const plan = testPlan();
    expect(writesTable(plan)).toBe(true);
    expect(writesTable({ ...plan, dryRun: true })).toBe(false);
    expect(writesTable({ ...plan, kind: 'export', target: { type: 'file', path: '/out.csv', format: 'csv', escapeFormulas: true } })).toBe(false);
  });

  it('says what the embedded engine says', () => {
    expect(waitingMessage('job-0', { connection: 'users', table: 'users' })).toBe(
      'waiting for job job-0, which is writing to users table users (set batch.exclusive: false in both pipelines to let them run together)',
    );
    expect(waitingMessage('job-0', { connection: 'users', table: '' })).toContain('users table (its default table)');
  });
});
