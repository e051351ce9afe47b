import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runFerryAsync, type CliResult } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startWorker, taskQueue, temporalConfig, type FerryWorker } from '../helpers/temporal-workers.js';
import { startHttp, type LoopbackHttp } from '../unit/notify/loopback.js';

/**
 * Issue 20: a job that rejected 197 of its 197 records "succeeded" with exit 0. It fails now (exit
 * 1, status failed, the notification says failed), on both engines, unless the pipeline sets
 * `validate.allow_all_rejected: true`.
 */

const message = 'every record was rejected (3 of 3), nothing was written; set validate.allow_all_rejected: true if that can be expected';

/** The CLI without blocking this process: the webhook receiver must answer while the job runs. */
function ferry(cwd: string, ...args: string[]): Promise<CliResult> {
  return runFerryAsync(args, { cwd });
}

function writeProject(p: TestProject, hook: LoopbackHttp, extra = ''): void {
  // A mapping that reads the wrong field of a JSON file: validate only warns, every record is rejected REQUIRED.
  p.write('users.json', [{ mail: 'a@x.io' }, { mail: 'b@x.io' }, { mail: 'c@x.io' }]);
  p.write(
    'p.yaml',
    `source: { file: users.json }\ntarget: { connection: users }\ncolumns:\n  email: email_address\n${extra}notify:\n  - webhook: ${hook.url}/h\n`,
  );
}

function scenarios(engine: () => { p: TestProject; hook: LoopbackHttp; name: string }): void {
  it('fails: exit 1, status failed, the error says why, the webhook says failed', async () => {
    const { p, hook, name } = engine();
    writeProject(p, hook);
    const run = await ferry(p.dir, 'run', 'p.yaml', '--json');
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { status: string; engine: string; summary: { total: number; rejected: number }; error: unknown };
    expect(report).toMatchObject({ status: 'failed', engine: name, summary: { total: 3, rejected: 3 } });
    expect(report.error).toEqual({ message, code: 'ALL_REJECTED', batch: null });
    const body = JSON.parse(hook.requests.at(-1)!.body.toString('utf8')) as { status: string };
    expect(body.status).toBe('failed');
    const show = await ferry(p.dir, 'jobs', 'show', (report as unknown as { job: string }).job, '--json');
    expect((JSON.parse(show.stdout) as { status: string }).status).toBe('failed');
  });

  it('succeeds with validate.allow_all_rejected: true', async () => {
    const { p, hook } = engine();
    writeProject(p, hook, 'validate: { allow_all_rejected: true }\n');
    const run = await ferry(p.dir, 'run', 'p.yaml', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', summary: { total: 3, rejected: 3 } });
    expect((JSON.parse(hook.requests.at(-1)!.body.toString('utf8')) as { status: string }).status).toBe('succeeded');
  });
}

let p: TestProject;
let hook: LoopbackHttp;

describe('a job that rejects every record (embedded engine)', () => {
  beforeEach(async () => {
    p = new TestProject();
    hook = await startHttp(() => ({ status: 200 }));
  });
  afterEach(async () => {
    await hook.close();
    p.cleanup();
  });
  scenarios(() => ({ p, hook, name: 'embedded' }));
});

describeTemporal('a job that rejects every record (Temporal)', { timeout: 180_000 }, () => {
  const server = useTemporalServer();
  let worker: FerryWorker | undefined;
  const queue = taskQueue('all-rejected');
  beforeAll(async () => {
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, queue));
    worker = await startWorker(p.dir);
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    p.cleanup();
  });
  beforeEach(async () => {
    hook = await startHttp(() => ({ status: 200 }));
  });
  afterEach(async () => {
    await hook.close();
  });
  scenarios(() => ({ p, hook, name: 'temporal' }));
});
