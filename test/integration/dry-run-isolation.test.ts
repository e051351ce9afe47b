import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool, type ActivityDeps } from '../../activities/index.js';
import { dryRun } from '../../activities/dry-run.js';
import { buildJobPlan } from '../../src/plan/job-plan.js';
import type { Pipeline } from '../../src/spec/pipeline-schema.js';
import { SecretMasker } from '../../src/spec/secrets.js';
import { tempDir } from '../helpers/cli.js';
import { generateUsers } from '../helpers/users.js';

/**
 * A dry run is one transaction rolled back at its end. In a process that also runs jobs (`ferry
 * ui`), a job's batch written meanwhile on the same connection went into that transaction and was
 * undone after it had reported committed. The dry run now has connections of its own: a batch
 * written while it runs either commits for good or waits and fails retryably, never vanishes.
 */
describe('a dry run beside a running job', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: ConnectionPool;
  const busy = process.env['FERRY_SQLITE_BUSY_TIMEOUT_MS'];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    process.env['FERRY_SQLITE_BUSY_TIMEOUT_MS'] = '50';
    writeFileSync(
      join(dir, 'u.ndjson'),
      generateUsers(3000, 9)
        .map((u) => JSON.stringify(u))
        .join('\n'),
    );
    pool = new ConnectionPool({ users: { driver: 'sqlite', path: 'users.db', table: 'users' } }, dir);
  });
  afterEach(async () => {
    await pool.closeAll();
    if (busy === undefined) delete process.env['FERRY_SQLITE_BUSY_TIMEOUT_MS'];
    else process.env['FERRY_SQLITE_BUSY_TIMEOUT_MS'] = busy;
    cleanup();
  });

  it('never takes a batch the job reported written down with its rollback', async () => {
    const deps: ActivityDeps = {
      connections: { users: { driver: 'sqlite', path: 'users.db', table: 'users' } },
      baseDir: dir,
      masker: new SecretMasker(),
      pool,
    };
    const plan = buildJobPlan({ source: { file: 'u.ndjson' }, target: { connection: 'users', key: ['email'], upsert: false, metadata: 'merge' } } as Pipeline, {
      jobId: 'dry',
      pipeline: 'p',
      pipelineFile: join(dir, 'p.yaml'),
      pipelineHash: 'h',
      startedAt: '2026-01-01T00:00:00.000Z',
      jobDir: join(dir, 'jobs', 'dry'),
      sourcePath: join(dir, 'u.ndjson'),
      sourceFormat: 'ndjson',
    });
    // The key the job's own activities use (the plan's connection and table): the same pooled connection.
    const store = await pool.get(
      plan.target.type === 'connection' ? plan.target.connection : '',
      plan.target.type === 'connection' ? plan.target.table : undefined,
    );
    await store.columns();
    let dryRunning = true;
    const previewing = dryRun(deps, plan, 3).finally(() => (dryRunning = false));
    // The job's batches, on the process's shared pool, while the dry run goes on.
    const written: string[] = [];
    for (let n = 0; dryRunning && n < 200; n++) {
      const email = `job-${n}@x.io`;
      try {
        const out = await store.writeBatch({
          job: 'real-job',
          batch: n,
          key: ['email'],
          upsert: false,
          metadata: 'merge',
          now: '2026-01-01T00:00:00.000Z',
          rows: [{ row: n + 1, values: { email } }],
        });
        if (out.inserted === 1) written.push(email);
      } catch (err) {
        // Waiting for the dry run's write lock: the batch is retried later, as the engine would.
        expect((err as { retryable?: boolean }).retryable).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const { outcome } = await previewing;
    expect(outcome.summary.inserted).toBe(3000);
    const stored = (await store.readPage({ query: 'email:job-*', limit: 1000, after: null })).map((r) => r['email']);
    expect(stored.sort()).toEqual([...written].sort());
    // Nothing of the dry run stayed.
    expect((await store.readPage({ query: '*', limit: 5000, after: null })).length).toBe(written.length);
  });
});
