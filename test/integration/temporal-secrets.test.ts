import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { usersConnectionYaml, usePostgresServer } from '../helpers/describe-postgres.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { jobHistory, startCli, startWorker, taskQueue, temporalConfig, withTestClient, type FerryWorker } from '../helpers/temporal-workers.js';
import { startHttp, type LoopbackHttp } from '../unit/notify/loopback.js';

/**
 * Secrets from the environment never reach Temporal: a job whose PostgreSQL password and webhook
 * token are ${ENV} references, run on a real server and worker, leaves neither in any event of
 * its workflow history (inputs, results, failures, heartbeats), nor in its memo or search
 * attributes — the history is readable by anyone with namespace access, and kept after the job.
 */
const HOOK_TOKEN = 'hook-tok-5e3b9a77c1';
const PG_ENV = 'FERRY_SECRETS_TEST_PG_PASSWORD';

describeTemporal('Temporal: no secret in workflow histories', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  const postgres = usePostgresServer({ passwordEnv: PG_ENV });
  const queue = taskQueue('secrets');
  let p: TestProject;
  let worker: FerryWorker;
  let hook: LoopbackHttp;
  let failing: LoopbackHttp;
  const env = (): Record<string, string> => ({ [PG_ENV]: postgres().password, HOOK_TOKEN, WRONG_PW: 'wrong-pw-0d81f2c4aa' });

  beforeAll(async () => {
    hook = await startHttp(() => ({ status: 200 }));
    failing = await startHttp(() => ({ status: 502 }));
    await postgres().createDatabase('secrets');
    p = new TestProject();
    const wrong = `postgres://${postgres().user}:\${WRONG_PW}@127.0.0.1:${postgres().port}/secrets`;
    p.write(
      'ferry.yaml',
      temporalConfig(
        server().address,
        queue,
        usersConnectionYaml(postgres(), 'secrets', PG_ENV) + `  wrong: { driver: postgres, url: "${wrong}", table: users }\n`,
      ),
    );
    worker = await startWorker(p.dir, env());
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([hook?.close(), failing?.close()]);
    p?.cleanup();
  });

  async function run(file: string): Promise<{ code: number | null; job: string; stderr: string }> {
    const started = startCli(p.dir, ['run', file, '--json'], env());
    const code = await started.exit;
    return { code, job: (JSON.parse(started.out.stdout) as { job: string }).job, stderr: started.out.stderr };
  }

  /** Every byte Temporal keeps of the job: each event of each run, encoded as the server stores it, and its description. */
  async function everything(job: string): Promise<string> {
    const runs = await jobHistory(server().address, job);
    const events = runs.flat().map((e) => Buffer.from(temporal.api.history.v1.HistoryEvent.encode(e).finish()).toString('latin1'));
    const described = await withTestClient(server().address, async (client) => {
      const { raw } = await client.workflow.getHandle(job).describe();
      return Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(raw).finish()).toString('latin1');
    });
    return [...events, described].join('\n');
  }

  function expectNoSecret(text: string): void {
    for (const secret of Object.values(env())) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    }
  }

  it('a job that succeeded and notified a webhook with a token in its URL', async () => {
    p.write('ok.json', [{ email: 'ada@example.com' }, { email: 'not-an-email' }]);
    p.write(
      'ok.yaml',
      `source: { file: ok.json }\ntarget: { connection: users, upsert: true }\nnotify:\n  - webhook: "${hook.url}/hook/\${HOOK_TOKEN}?token=\${HOOK_TOKEN}"\n  - webhook: "${failing.url}/hook/\${HOOK_TOKEN}?token=\${HOOK_TOKEN}"\nretry: { max_attempts: 2, initial_interval: 50ms }\n`,
    );
    const ran = await run('ok.yaml');
    expect(ran.code, ran.stderr).toBe(0);
    expect(hook.requests.at(-1)!.path).toContain(HOOK_TOKEN);
    expectNoSecret(await everything(ran.job));
  });

  it('a job whose connection refused its password, and a job whose export reads a connection', async () => {
    p.write('wrong.yaml', `source: { file: ok.json }\ntarget: { connection: wrong, upsert: true }\nretry: { max_attempts: 2, initial_interval: 50ms }\n`);
    const wrong = await run('wrong.yaml');
    expect(wrong.code).not.toBe(0);
    expectNoSecret(wrong.stderr);
    expectNoSecret(await everything(wrong.job));
    p.write('out.yaml', `source: { connection: users, query: "*" }\ntarget: { file: out.csv }\n`);
    const out = await run('out.yaml');
    expect(out.code, out.stderr).toBe(0);
    expectNoSecret(await everything(out.job));
  });
});
