import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../activities/index.js';
import { createTemporalActivities } from '../../../activities/temporal.js';
import { localPlan, portablePlan } from '../../../src/engine/temporal/portable-plan.js';
import { projectIdentity, projectTaskQueue, submissionOf } from '../../../src/engine/temporal/project-identity.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import { loadProject, type Project } from '../../../src/project/load-config.js';
import { loadPipeline } from '../../../src/project/load-pipeline.js';
import { planFor } from '../../../src/project/plan-for.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * Two projects on one Temporal server sharing a task queue: a worker of project X must refuse a
 * job project Y submitted (before planning or writing anything), and still run jobs of a copy of
 * its own project in another folder (a worker on another machine).
 */
const logger = new DefaultLogger('ERROR');
const FERRY_YAML = 'engine: temporal\ntemporal: { task_queue: shared }\nconnections:\n  users: { driver: sqlite, path: .ferry/users.db }\n';
const PIPELINE = 'source: { file: ../data/users.ndjson }\ntarget: { connection: users }\n';
const USERS = '{"email":"ada@example.com"}\n';

describe('a worker refuses another project’s job', () => {
  let root: { dir: string; cleanup: () => void };
  beforeAll(() => {
    root = tempDir('ferry-projects-');
  });
  afterAll(() => root.cleanup());

  /** A project folder under the temp root, with ferry.yaml, one pipeline and its source. */
  function project(name: string, files: { yaml?: string; pipeline?: string; users?: string } = {}): Project {
    const dir = join(root.dir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'pipelines'), { recursive: true });
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'ferry.yaml'), files.yaml ?? FERRY_YAML);
    writeFileSync(join(dir, 'pipelines', 'import.yaml'), files.pipeline ?? PIPELINE);
    writeFileSync(join(dir, 'data', 'users.ndjson'), files.users ?? USERS);
    return loadProject(dir, undefined, { PGPASS: 's3cret', PGPASS2: 'other' });
  }

  /** What the worker of `worker` receives when `submitter` submits: the plan as it crosses Temporal, resolved in the worker's folder. */
  async function submitted(submitter: Project, worker: Project, stamp = true): Promise<JobPlan> {
    const loaded = loadPipeline(submitter, submitter.rootDir, join(submitter.rootDir, 'pipelines', 'import.yaml'));
    if (!loaded.ok) throw new Error('pipeline does not load');
    const plan = planFor(submitter, loaded.loaded);
    const started = stamp ? { ...plan, project: (await submissionOf(plan, projectIdentity(submitter))).project } : plan;
    return localPlan(portablePlan(started, submitter.rootDir), worker.rootDir);
  }

  /** planJob as `worker`'s worker process runs it. */
  async function planOn(worker: Project, plan: JobPlan): Promise<unknown> {
    const pool = new ConnectionPool(worker.config.connections, worker.rootDir);
    try {
      const acts = createTemporalActivities({
        connections: worker.config.connections,
        baseDir: worker.rootDir,
        masker: worker.masker,
        pool,
        project: projectIdentity(worker),
      });
      return await new MockActivityEnvironment(undefined, { logger }).run(acts.planJob, { plan }).catch((err: unknown) => err);
    } finally {
      await pool.closeAll();
    }
  }

  function expectRefused(err: unknown, plan: JobPlan, reason: string | RegExp): void {
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('ForeignJobError');
    expect(failure.message).toContain('was submitted by project "y", but this worker serves project "x"');
    expect(failure.message).toMatch(reason);
    expect(failure.message).toContain('give each its own temporal.task_queue in ferry.yaml (task_queue: ferry-y)');
    // Nothing planned, nothing written: no job folder in the worker's project (its store is only
    // opened, as the worker does with every SQLite store before it polls).
    expect(existsSync(plan.jobDir)).toBe(false);
  }

  it('the same ferry.yaml and pipeline over another source file: refused after reading it, before the plan is saved', async () => {
    const x = project('x', { users: '{"email":"x-only@example.com"}\n' });
    const y = project('y');
    const plan = await submitted(y, x);
    expect(plan.jobDir.startsWith(x.rootDir)).toBe(true);
    expectRefused(await planOn(x, plan), plan, /its source \S*data\/users\.ndjson is not the file the submitter read/);
  });

  it('an edited pipeline: refused before the source is read', async () => {
    const x = project('x');
    const y = project('y', { pipeline: `${PIPELINE}columns: { email: $uppercase(email) }\n` });
    const plan = await submitted(y, x);
    expectRefused(await planOn(x, plan), plan, /its pipeline \S*pipelines\/import\.yaml is not the same file here/);
  });

  it('another state dir or another store: refused, the digests named', async () => {
    const x = project('x');
    for (const yaml of [`${FERRY_YAML}state_dir: state\n`, FERRY_YAML.replace('.ferry/users.db', 'y.db')]) {
      const y = project('y', { yaml });
      const plan = await submitted(y, x);
      expectRefused(await planOn(x, plan), plan, /its ferry\.yaml has other stores or another state_dir \(digest [0-9a-f]{12}, here [0-9a-f]{12}\)/);
    }
  });

  it('a copy of the same project in a folder of another path and name (a worker on another machine) runs the job', async () => {
    const here = project('x');
    const copy = project(join('elsewhere', 'deep', 'checkout'));
    const plan = await submitted(here, copy);
    expect(plan.project).toMatchObject({ name: 'x', config: projectIdentity(copy).config });
    expect(await planOn(copy, plan)).toEqual({ checksum: expect.any(String), total: 1, batches: 1 });
    expect(existsSync(join(plan.jobDir, 'plan.json'))).toBe(true);
  });

  it('a job started before submitters set `project` (still in flight) is accepted unchecked', async () => {
    const x = project('x', { users: '{"email":"x-only@example.com"}\n' });
    const y = project('y');
    const plan = await submitted(y, x, false);
    expect(plan.project).toBeUndefined();
    expect(await planOn(x, plan)).toMatchObject({ total: 1 });
  });

  it('the identity holds digests only: no folder path, no password; another password, host or role is the same store, another database is not', () => {
    const pg = (url: string): string => `engine: temporal\nconnections:\n  crm: { driver: postgres, url: "${url}" }\n`;
    const a = project('pg-a', { yaml: pg('postgres://app:${PGPASS}@db:5432/crm') });
    const b = project('pg-b', { yaml: pg('postgres://app:${PGPASS2}@db:5432/crm') });
    const c = project('pg-c', { yaml: pg('postgres://app:${PGPASS}@db:5432/billing') });
    const id = projectIdentity(a);
    expect(JSON.stringify(id)).not.toContain(root.dir);
    expect(JSON.stringify(id)).not.toContain('s3cret');
    expect(id).toEqual({ name: 'pg-a', config: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(projectIdentity(b).config).toBe(id.config);
    expect(projectIdentity(c).config).not.toBe(id.config);
    // The same database reached through a tunnel, another host name or role is the same store.
    expect(projectIdentity(project('pg-d', { yaml: pg('postgres://ops:${PGPASS}@localhost:15432/crm') })).config).toBe(id.config);
  });

  it('projectTaskQueue: ferry- and the folder name, sanitized', () => {
    expect(projectTaskQueue('user-sync')).toBe('ferry-user-sync');
    expect(projectTaskQueue('My Project (2)')).toBe('ferry-my-project-2');
    expect(projectTaskQueue('..')).toBe('ferry');
  });

  it('projectTaskQueue keeps letters and digits of any script: two folders named in Japanese do not share `ferry`', () => {
    expect(projectTaskQueue('顧客')).toBe('ferry-顧客');
    expect(projectTaskQueue('社員')).toBe('ferry-社員');
    expect(projectTaskQueue('Über Sync')).toBe('ferry-über-sync');
  });
});
