import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execute, liveness } from '../../../src/engine/embedded/execute.js';
import { Journal, type Liveness } from '../../../src/engine/embedded/journal.js';
import type { OwnerState } from '../../../src/engine/embedded/process-owner.js';
import { submitJob } from '../../../src/engine/embedded/submit.js';
import { fileSubmissionKey, submissionKey } from '../../../src/engine/submission.js';
import { writeTargetOf } from '../../../src/plan/write-target.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import type { Pipeline } from '../../../src/spec/pipeline-schema.js';
import { sourceFor } from '../../../src/sources/index.js';
import { tempDir } from '../../helpers/cli.js';
import { useTempJournal } from '../../helpers/temp-journal.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';

/**
 * One job per submission and the target gate, at the journal: the check-and-create, the lazily
 * known submission key, which running job keeps another from writing a table, and the engine
 * waiting at the gate (in-process, fake activities). The CLI end to end is in
 * test/integration/submissions.test.ts.
 */

let dir: string;
let journal: Journal;
useTempJournal((fresh) => ({ dir, journal } = fresh));

const csv = { delimiter: ',', header: true, encoding: 'utf8' as const };
/** A plan over a real JSON file in the test folder (the fake activities never read it; hashing does). */
const filePlan = (jobId: string, users: object[] = [{ email: 'a@example.com' }]): JobPlan => {
  const path = join(dir, 'users.json');
  writeFileSync(path, JSON.stringify(users));
  return { ...planOf(jobId), source: { type: 'file', path, format: 'json', csv } };
};
/** `state` stands in for the process check: 'unknown' (no /proc) lets the heartbeat's age decide. */
const live = (state: OwnerState = 'alive', now = new Date()): Liveness => ({ now, staleMs: 10_000, state: () => state });
const planOf = (jobId: string, overrides: Partial<Pipeline> = {}, pipelineHash = 'h'): JobPlan => ({ ...testPlan(overrides), jobId, pipelineHash });
/** Another live process holds the job: our parent stands in for it (a live pid that is not ours). */
const runningElsewhere = (plan: JobPlan, key: string | null = null): void => {
  journal.createJob(plan, 'running', new Date().toISOString(), { ownerPid: process.ppid, submissionKey: key });
};
const until = async (what: () => boolean): Promise<void> => {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (what()) return;
  throw new Error('timed out waiting');
};

describe('journal migration', () => {
  it('adds the submission, target and failure columns to a journal created before them, once', () => {
    const old = tempDir();
    const db = new Database(join(old.dir, 'journal.db'));
    db.exec(`CREATE TABLE jobs (
      id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, engine TEXT NOT NULL, status TEXT NOT NULL,
      run INTEGER NOT NULL DEFAULT 1, plan TEXT NOT NULL, summary TEXT, error TEXT, artifacts TEXT,
      notifications TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, ended_at TEXT,
      owner_pid INTEGER, heartbeat_at TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0,
      source_checksum TEXT, pipeline_file TEXT NOT NULL, pipeline_hash TEXT NOT NULL)`);
    db.prepare(
      `INSERT INTO jobs (id, pipeline, engine, status, plan, created_at, pipeline_file, pipeline_hash) VALUES ('old-1', 'p', 'embedded', 'succeeded', ?, '2026-01-01', '/p.yaml', 'h')`,
    ).run(JSON.stringify(testPlan()));
    db.close();
    try {
      new Journal(old.dir).close();
      const reopened = new Journal(old.dir);
      // A job that ended before the failure column: whether its error was retryable is not known.
      expect(reopened.getJob('old-1')).toMatchObject({ status: 'succeeded', submissionKey: null, target: null, targetShared: false, failure: null });
      reopened.close();
      const check = new Database(join(old.dir, 'journal.db'), { readonly: true });
      const columns = (check.prepare(`SELECT name FROM pragma_table_info('jobs')`).all() as { name: string }[]).map((c) => c.name);
      check.close();
      expect(columns).toEqual(expect.arrayContaining(['submission_key', 'target', 'target_shared', 'failure']));
    } finally {
      old.cleanup();
    }
  });
});

describe('Journal.submit', () => {
  it('creates the job, pending and leased to the submitter, when no job of the pipeline runs', () => {
    expect(journal.submit(planOf('job-1'), undefined, process.pid, live())).toEqual({ kind: 'created' });
    expect(journal.getJob('job-1')).toMatchObject({ status: 'pending', ownerPid: process.pid, submissionKey: null });
    expect(journal.getJob('job-1')!.heartbeatAt).not.toBeNull();
  });

  it('asks for the key only when a live job of the same pipeline text exists', () => {
    runningElsewhere(planOf('job-1'), 'k1');
    expect(journal.submit(planOf('job-2'), undefined, process.pid, live())).toEqual({ kind: 'need-key' });
    expect(journal.getJob('job-2')).toBeUndefined();
    // Another pipeline text (edited pipeline): no live job to compare with.
    expect(journal.submit(planOf('job-3', {}, 'h2'), undefined, process.pid, live())).toEqual({ kind: 'created' });
  });

  it('returns the live job of the same key instead of creating one', () => {
    runningElsewhere(planOf('job-1'), 'k1');
    const found = journal.submit(planOf('job-2'), 'k1', process.pid, live());
    expect(found).toMatchObject({ kind: 'existing', job: { id: 'job-1' } });
    expect(journal.getJob('job-2')).toBeUndefined();
  });

  it('creates a job for another source (another key)', () => {
    runningElsewhere(planOf('job-1'), 'k1');
    expect(journal.submit(planOf('job-2'), 'k2', process.pid, live())).toEqual({ kind: 'created' });
    expect(journal.getJob('job-2')).toMatchObject({ submissionKey: 'k2', status: 'pending' });
  });

  it('waits for a live job that does not know its key yet', () => {
    runningElsewhere(planOf('job-1'), null);
    expect(journal.submit(planOf('job-2'), 'k1', process.pid, live())).toMatchObject({ kind: 'key-pending', job: { id: 'job-1' } });
    journal.setSubmissionKey('job-1', 'k1');
    journal.setSubmissionKey('job-1', 'k-other'); // a recorded key stays
    expect(journal.submit(planOf('job-2'), 'k1', process.pid, live())).toMatchObject({ kind: 'existing', job: { id: 'job-1' } });
  });

  it('ignores jobs that ended, whose owner died, or whose heartbeat is stale', () => {
    runningElsewhere(planOf('job-1'), 'k1');
    expect(journal.submit(planOf('job-2'), 'k1', process.pid, live('dead'))).toEqual({ kind: 'created' });
    const later = new Date(Date.now() + 60_000);
    expect(journal.submit(planOf('job-3'), 'k1', process.pid, live('unknown', later))).toEqual({ kind: 'created' });
    journal.update('job-1', { status: 'succeeded' });
    journal.update('job-2', { status: 'failed' });
    journal.update('job-3', { status: 'cancelled' });
    expect(journal.submit(planOf('job-4'), 'k1', process.pid, live())).toEqual({ kind: 'created' });
  });
});

describe('the target gate in the journal', () => {
  const target = 'users/users';

  it('lets one exclusive job write a table at a time', () => {
    runningElsewhere(planOf('job-1'));
    expect(journal.acquireTarget('job-1', target, false, live())).toBeUndefined();
    runningElsewhere(planOf('job-2'));
    expect(journal.acquireTarget('job-2', target, false, live())).toMatchObject({ id: 'job-1' });
    // Non-exclusive on one side only is not enough.
    expect(journal.acquireTarget('job-2', target, true, live())).toMatchObject({ id: 'job-1' });
    expect(journal.acquireTarget('job-2', 'users/other_table', false, live())).toBeUndefined();
    expect(journal.getJob('job-2')).toMatchObject({ status: 'running', target: 'users/other_table' });
  });

  it('lets non-exclusive jobs write together', () => {
    runningElsewhere(planOf('job-1'));
    runningElsewhere(planOf('job-2'));
    expect(journal.acquireTarget('job-1', target, true, live())).toBeUndefined();
    expect(journal.acquireTarget('job-2', target, true, live())).toBeUndefined();
    expect(journal.getJob('job-2')).toMatchObject({ target, targetShared: true });
  });

  it('is not kept by a dead, ended or still waiting job', () => {
    runningElsewhere(planOf('job-1'));
    expect(journal.acquireTarget('job-1', target, false, live())).toBeUndefined();
    runningElsewhere(planOf('job-2'));
    expect(journal.targetBlocker('job-2', target, false, live('dead'))).toBeUndefined();
    journal.update('job-1', { status: 'succeeded' });
    expect(journal.targetBlocker('job-2', target, false, live())).toBeUndefined();
    journal.createJob(planOf('job-3'), 'pending', new Date().toISOString(), { ownerPid: process.ppid });
    expect(journal.acquireTarget('job-2', target, false, live())).toBeUndefined();
    expect(journal.targetBlocker('job-3', target, false, live())).toMatchObject({ id: 'job-2' });
  });
});

describe('the engine at the target gate', () => {
  const holdTarget = (plan: JobPlan): void => {
    runningElsewhere(plan);
    expect(journal.acquireTarget(plan.jobId, 'users/', plan.batch.exclusive === false, liveness())).toBeUndefined();
  };

  it('waits, pending and saying for whom, then runs once the other job ends', async () => {
    holdTarget(planOf('job-1'));
    const plan = filePlan('job-2');
    journal.createJob(plan, 'pending', new Date().toISOString());
    const lines: string[] = [];
    const fake = fakeActivities({ total: 20, batches: 2 });
    const outcome = execute(journal.getJob('job-2')!, { journal, activities: fake.acts, log: (line) => lines.push(line) });
    await until(() => lines.length > 0);
    expect(lines).toEqual([
      'waiting for job job-1, which is writing to users table (its default table) (set batch.exclusive: false in both pipelines to let them run together)',
    ]);
    expect(journal.getJob('job-2')).toMatchObject({ status: 'pending', ownerPid: process.pid });
    expect(fake.calls).toEqual([]);
    journal.update('job-1', { status: 'succeeded' });
    expect((await outcome).status).toBe('succeeded');
    expect(journal.getJob('job-2')).toMatchObject({ status: 'succeeded', target: 'users/' });
    // Waiting, it hashed its source for its submission key (a resubmission meanwhile compares it),
    // rather than take it from its plan step later (the fake step's checksum gives another key).
    expect(journal.getJob('job-2')!.submissionKey).toBe(await submissionKey(plan));
  });

  it('stops waiting when cancelled: the job ends cancelled before its first batch', async () => {
    holdTarget(planOf('job-1'));
    journal.createJob(planOf('job-2'), 'pending', new Date().toISOString());
    const lines: string[] = [];
    const fake = fakeActivities({ total: 20, batches: 2 });
    const outcome = await execute(journal.getJob('job-2')!, {
      journal,
      activities: fake.acts,
      log: (line) => lines.push(line),
      cancelled: () => lines.length > 0,
    });
    expect(outcome.status).toBe('cancelled');
    expect(fake.calls).toEqual(['planJob', 'finalizeJob:cancelled']);
    expect(journal.getJob('job-1')).toMatchObject({ status: 'running' });
  });

  it('does not wait between two non-exclusive jobs, and exports never wait', async () => {
    const shared = { batch: { size: 10, parallelism: 1, exclusive: false } } as Partial<Pipeline>;
    holdTarget(planOf('job-1', shared));
    journal.createJob(planOf('job-2', shared), 'pending', new Date().toISOString());
    const lines: string[] = [];
    expect(
      (await execute(journal.getJob('job-2')!, { journal, activities: fakeActivities({ total: 10, batches: 1 }).acts, log: (l) => lines.push(l) })).status,
    ).toBe('succeeded');
    expect(lines).toEqual([]);
  });

  it('gives a job started without a key the key of the checksum its plan step read', async () => {
    journal.createJob(planOf('job-1'), 'pending', new Date().toISOString());
    await execute(journal.getJob('job-1')!, { journal, activities: fakeActivities({ total: 10, batches: 1 }).acts });
    // The fake plan step reports the checksum "c".
    expect(journal.getJob('job-1')!.submissionKey).toBe(fileSubmissionKey(planOf('job-1'), 'c'));
  });
});

describe('submission keys and write targets', () => {
  it('a file key from the plan step checksum equals the key from hashing the file', async () => {
    const plan = filePlan('job-1', [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
    const path = join(dir, 'users.json');
    const scan = await sourceFor('json').scan({ path, format: 'json', csv }, 1000);
    expect(await submissionKey(plan)).toBe(fileSubmissionKey(plan, scan.checksum));
    filePlan('job-1', [{ email: 'a@example.com' }]);
    expect(await submissionKey(plan)).not.toBe(fileSubmissionKey(plan, scan.checksum));
  });

  it('is the same for another job of the same work, and differs with the run options', async () => {
    const plan = filePlan('job-1');
    const key = await submissionKey(plan);
    expect(await submissionKey({ ...plan, jobId: 'job-2', jobDir: '/jobs/job-2', startedAt: '2026-02-01T00:00:00.000Z' })).toBe(key);
    expect(await submissionKey({ ...plan, pipelineHash: 'h2' })).not.toBe(key);
    // An export: its file name may hold {job}; its sample (`run --sample`) is other work.
    const source = { type: 'connection' as const, connection: 'users', query: 'true' };
    const exportPlan = (jobId: string, sample?: number): JobPlan => ({
      ...planOf(jobId),
      kind: 'export',
      source,
      target: { type: 'file', path: `/out/${jobId}.csv`, format: 'csv', escapeFormulas: true },
      ...(sample !== undefined ? { sample } : {}),
    });
    expect(await submissionKey(exportPlan('job-1'))).toBe(await submissionKey(exportPlan('job-2')));
    expect(await submissionKey(exportPlan('job-1', 10))).not.toBe(await submissionKey(exportPlan('job-2')));
  });

  it('names a table left to ferry.yaml by the connection, so both spellings are one target', () => {
    const implicit = testPlan();
    const explicit = testPlan({ target: { connection: 'users', table: 'app_users', key: ['email'], upsert: false, metadata: 'merge' } } as Partial<Pipeline>);
    const connections = { users: { table: 'app_users' } };
    expect(writeTargetOf(implicit, connections)).toEqual({ key: 'users/app_users', connection: 'users', table: 'app_users', shared: false });
    expect(writeTargetOf(explicit, connections)?.key).toBe('users/app_users');
    expect(writeTargetOf(testPlan({ batch: { size: 10, parallelism: 1, exclusive: false } } as Partial<Pipeline>))?.shared).toBe(true);
    const exportPlan: JobPlan = { ...testPlan(), target: { type: 'file', path: '/out.csv', format: 'csv', escapeFormulas: true } };
    expect(writeTargetOf(exportPlan, connections)).toBeUndefined();
  });

  it('keeps plans without batch.exclusive: false as they were', () => {
    expect(testPlan().batch).toEqual({ size: 1000, parallelism: 4 });
    expect(testPlan({ batch: { size: 10, parallelism: 1, exclusive: true } } as Partial<Pipeline>).batch).toEqual({ size: 10, parallelism: 1 });
  });
});

describe('submitJob (embedded)', () => {
  it('returns the running job of the same source once its key is known, and --force-new creates one', async () => {
    const plan = (jobId: string): JobPlan => filePlan(jobId);
    expect(await submitJob(journal, plan('job-1'))).toEqual({ jobId: 'job-1', existing: false });
    // Nothing else ran: the source was not hashed, the job learns its key from its plan step.
    expect(journal.getJob('job-1')!.submissionKey).toBeNull();
    const lines: string[] = [];
    const second = submitJob(journal, plan('job-2'), { log: (l) => lines.push(l), pollMs: 10 });
    await until(() => lines.length > 0);
    expect(lines[0]).toContain('job job-1 of the same pipeline has not read its source yet');
    journal.setSubmissionKey('job-1', await submissionKey(plan('job-1')));
    expect(await second).toEqual({ jobId: 'job-1', existing: true });
    expect(await submitJob(journal, plan('job-3'), { forceNew: true })).toEqual({ jobId: 'job-3', existing: false });
    expect(
      journal
        .listJobs()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['job-1', 'job-3']);
  });
});
