import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../activities/index.js';
import type { BatchCursor } from '../../../activities/run-batch.js';
import { createTemporalActivities, toTemporalFailure } from '../../../activities/temporal.js';
import { ConnectionError } from '../../../src/connections/errors.js';
import type { RunBatchOutput } from '../../../src/plan/activity-types.js';
import { DEFAULT_COMMIT_RECORDS as CHUNK_RECORDS, buildJobPlan, type JobPlan } from '../../../src/plan/job-plan.js';
import type { Pipeline } from '../../../src/spec/pipeline-schema.js';
import { SecretMasker } from '../../../src/spec/secrets.js';
import { tempDir } from '../../helpers/cli.js';
import { generateUsers } from '../../helpers/users.js';

/**
 * The worker-side adapter in Temporal's mock activity Context, on a real SQLite store: heartbeats
 * carry runBatch's cursor, a retry resumes from heartbeatDetails, cancellation stops between chunks.
 */
// The mock Context logs every failed activity at WARN; the tests assert the failures themselves.
const logger = new DefaultLogger('ERROR');

describe('Temporal activities (MockActivityEnvironment)', () => {
  const total = CHUNK_RECORDS * 2 + 500;
  let dir: string;
  let cleanup: () => void;
  let pool: ConnectionPool;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    writeFileSync(
      join(dir, 'u.ndjson'),
      generateUsers(total, 5, { invalidEvery: 89 })
        .map((u) => JSON.stringify(u))
        .join('\n'),
    );
    pool = new ConnectionPool({ users: { driver: 'sqlite', path: 'users.db', table: 'users' } }, dir);
  });
  afterEach(async () => {
    await pool.closeAll();
    cleanup();
  });

  const activities = () => createTemporalActivities({ connections: {}, baseDir: dir, masker: new SecretMasker(['s3cret']), pool });
  const plan = (jobId: string): JobPlan =>
    buildJobPlan(
      {
        source: { file: 'u.ndjson' },
        target: { connection: 'users', key: ['email'], upsert: false, metadata: 'merge' },
        batch: { size: total, parallelism: 1, exclusive: true },
      } as Pipeline,
      {
        jobId,
        pipeline: 'p',
        pipelineFile: join(dir, 'p.yaml'),
        pipelineHash: 'h',
        startedAt: '2026-01-01T00:00:00.000Z',
        jobDir: join(dir, 'jobs', jobId),
        sourcePath: join(dir, 'u.ndjson'),
        sourceFormat: 'ndjson',
      },
    );
  const rows = (): number => {
    const db = new Database(join(dir, 'users.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const planned = async (jobId: string): Promise<JobPlan> => {
    const p = plan(jobId);
    await new MockActivityEnvironment(undefined, { logger }).run(activities().planJob, { plan: p });
    return p;
  };

  it('heartbeats the batch cursor at its start and after every committed chunk', async () => {
    const p = await planned('job-a');
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 }, { logger });
    const beats: BatchCursor[] = [];
    env.on('heartbeat', (d: BatchCursor) => beats.push(structuredClone(d)));
    const out: RunBatchOutput = await env.run(activities().runBatch, { jobDir: p.jobDir, batch: 0 });
    expect(out.read).toBe(total);
    expect(beats.map((b) => [b.batch, b.chunk, b.row])).toEqual([
      [0, 0, 1],
      [0, 1, 1001],
      [0, 2, 2001],
      [0, 3, total + 1],
    ]);
    expect(beats.at(-1)!.counts).toEqual({ read: out.read, inserted: out.inserted, updated: 0, unchanged: 0, rejected: out.rejected, exported: 0 });
  });

  it('cancellation stops between chunks: whole chunks committed, no partial batch; the retry resumes from heartbeatDetails', async () => {
    const p = await planned('job-b');
    const first = new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 }, { logger });
    const beats: BatchCursor[] = [];
    first.on('heartbeat', (d: BatchCursor) => {
      beats.push(structuredClone(d));
      first.cancel();
    });
    await expect(first.run(activities().runBatch, { jobDir: p.jobDir, batch: 0 })).rejects.toBeInstanceOf(CancelledFailure);
    // The cursor at the start (cancelled there), then the one after the first chunk: cancellation is
    // only acted on between chunks.
    expect(beats.map((b) => b.chunk)).toEqual([0, 1]);
    // Exactly the first chunk is in the table: its valid rows, nothing of the second.
    expect(rows()).toBe(beats[1]!.counts.inserted);
    expect(beats[1]!.counts.read).toBe(CHUNK_RECORDS);

    const retry = new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000, attempt: 2, heartbeatDetails: beats[1] }, { logger });
    const resumed: BatchCursor[] = [];
    retry.on('heartbeat', (d: BatchCursor) => resumed.push(structuredClone(d)));
    const out: RunBatchOutput = await retry.run(activities().runBatch, { jobDir: p.jobDir, batch: 0 });
    // It started at chunk 1 (its first heartbeat says so): two more chunks, not three, and the counts cover the whole batch.
    expect(resumed.map((b) => b.chunk)).toEqual([1, 2, 3]);
    expect(out.read).toBe(total);
    expect(rows()).toBe(out.inserted);
    expect(out.inserted + out.rejected).toBe(total);
  });

  it('a heartbeat cursor of another batch is ignored: the batch starts from its beginning', async () => {
    const p = await planned('job-c');
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { batch: 7, chunk: 1, position: 10, row: 2, counts: {} } }, { logger });
    const beats: BatchCursor[] = [];
    env.on('heartbeat', (d: BatchCursor) => beats.push(structuredClone(d)));
    const out: RunBatchOutput = await env.run(activities().runBatch, { jobDir: p.jobDir, batch: 0 });
    expect(beats.map((b) => b.chunk)).toEqual([0, 1, 2, 3]);
    expect(out.read).toBe(total);
  });

  it('bad input fails non-retryable, with the message only and secrets masked', async () => {
    const p = plan('job-d');
    const broken = { ...p, source: { ...p.source, path: join(dir, 's3cret-missing.ndjson') } } as JobPlan;
    const err = await new MockActivityEnvironment(undefined, { logger }).run(activities().planJob, { plan: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).not.toContain('s3cret');
  });

  it('translates errors: retryable ones stay retryable, the rest become non-retryable, Temporal failures pass through', () => {
    const lost = toTemporalFailure(new ConnectionError('connection lost', { retryable: true }));
    expect(lost).toBeInstanceOf(ApplicationFailure);
    expect((lost as ApplicationFailure).nonRetryable).toBe(false);
    expect((lost as ApplicationFailure).type).toBe('ConnectionError');
    const busy = toTemporalFailure(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    expect((busy as ApplicationFailure).nonRetryable).toBe(false);
    const bad = toTemporalFailure(new ConnectionError('relation "app_users" does not exist', { retryable: false }));
    expect((bad as ApplicationFailure).nonRetryable).toBe(true);
    expect((toTemporalFailure(new Error('plain')) as ApplicationFailure).nonRetryable).toBe(true);
    const cancelled = new CancelledFailure('x');
    expect(toTemporalFailure(cancelled)).toBe(cancelled);
  });
});
