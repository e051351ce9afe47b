import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool, createActivities, type ActivityDeps } from '../../activities/index.js';
import type { ActivityProgress } from '../../activities/progress.js';
import type { BatchCursor } from '../../activities/run-batch.js';
import { DEFAULT_COMMIT_RECORDS as CHUNK_RECORDS, buildJobPlan } from '../../src/plan/job-plan.js';
import { SecretMasker } from '../../src/spec/secrets.js';
import type { Pipeline } from '../../src/spec/pipeline-schema.js';
import { tempDir } from '../helpers/cli.js';
import { generateUsers } from '../helpers/users.js';

/** A batch larger than a chunk commits chunk by chunk, heartbeats its cursor, and resumes from it. */
describe('runBatch in chunks', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: ConnectionPool;
  const total = CHUNK_RECORDS * 2 + 500;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    writeFileSync(
      join(dir, 'u.ndjson'),
      generateUsers(total, 3, { invalidEvery: 97 })
        .map((u) => JSON.stringify(u))
        .join('\n'),
    );
    pool = new ConnectionPool({ users: { driver: 'sqlite', path: 'users.db', table: 'users' } }, dir);
  });
  afterEach(async () => {
    await pool.closeAll();
    cleanup();
  });

  const plan = (jobId: string, commit?: number) =>
    buildJobPlan(
      {
        source: { file: 'u.ndjson' },
        target: { connection: 'users', key: ['email'], upsert: false, metadata: 'merge' },
        batch: { size: total, parallelism: 1, exclusive: true, ...(commit ? { commit } : {}) },
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

  const deps = (progress?: ActivityProgress): ActivityDeps => ({
    connections: {},
    baseDir: dir,
    masker: new SecretMasker(),
    pool,
    ...(progress ? { progress } : {}),
  });
  const count = (): number => {
    const db = new Database(join(dir, 'users.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('heartbeats a cursor after every chunk; a retry from a heartbeat reads only the rest and counts the whole batch', async () => {
    const beats: BatchCursor[] = [];
    const first = createActivities(
      deps({ heartbeat: (d) => beats.push(structuredClone(d as BatchCursor)), lastDetails: () => undefined, throwIfCancelled: () => {} }),
    );
    const p = plan('job-a');
    await first.planJob({ plan: p });
    const whole = await first.runBatch({ jobDir: p.jobDir, batch: 0 });
    expect(whole.read).toBe(total);
    // The first before any write: a batch that fails before its first commit is still named by it.
    expect(beats.map((b) => [b.chunk, b.row])).toEqual([
      [0, 1],
      [1, 1001],
      [2, 2001],
      [3, total + 1],
    ]);
    expect(count()).toBe(whole.inserted);

    // The retry of an attempt that died after chunk 1: it starts at the cursor and re-reads nothing before it.
    let reads = 0;
    const retry = createActivities(
      deps({ heartbeat: (d) => (reads = (d as BatchCursor).counts.read), lastDetails: () => beats[1], throwIfCancelled: () => {} }),
    );
    const again = await retry.runBatch({ jobDir: p.jobDir, batch: 0 });
    expect(again).toEqual(whole);
    expect(reads).toBe(total);
    expect(count()).toBe(whole.inserted);
  });

  it('commits `batch.commit` records at a time: 2,500 in one transaction, one heartbeat after the start, every row', async () => {
    const beats: BatchCursor[] = [];
    const activities = createActivities(
      deps({ heartbeat: (d) => beats.push(structuredClone(d as BatchCursor)), lastDetails: () => undefined, throwIfCancelled: () => {} }),
    );
    const p = plan('job-c', total);
    await activities.planJob({ plan: p });
    const whole = await activities.runBatch({ jobDir: p.jobDir, batch: 0 });
    expect(beats.map((b) => [b.chunk, b.row])).toEqual([
      [0, 1],
      [1, total + 1],
    ]);
    expect(whole.read).toBe(total);
    expect(count()).toBe(whole.inserted);
  });

  it('stops between chunks when cancelled, leaving whole chunks committed, and a rerun completes the batch exactly', async () => {
    let cancelAfter = 1;
    const cancelled = createActivities(
      deps({
        heartbeat: () => {},
        lastDetails: () => undefined,
        throwIfCancelled: () => {
          if (--cancelAfter < 0) throw new Error('cancelled');
        },
      }),
    );
    const p = plan('job-b');
    await cancelled.planJob({ plan: p });
    await expect(cancelled.runBatch({ jobDir: p.jobDir, batch: 0 })).rejects.toThrow('cancelled');
    const committed = count();
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThanOrEqual(2 * CHUNK_RECORDS);
    const rerun = await createActivities(deps()).runBatch({ jobDir: p.jobDir, batch: 0 });
    expect(rerun.read).toBe(total);
    expect(count()).toBe(rerun.inserted);
    const finalized = await createActivities(deps()).finalizeJob({ jobDir: p.jobDir, batches: 1, status: 'succeeded' });
    expect(finalized.rejects).toBe(rerun.rejected);
  });
});
