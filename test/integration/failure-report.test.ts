import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerryAsync, type CliResult } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { startHttp, type LoopbackHttp } from '../unit/notify/loopback.js';

/** A failed job says why in `run --json` and in the webhook body: message, code, and the batch. */
const runAsync = (args: string[], cwd: string): Promise<CliResult> => runFerryAsync(args, { cwd });

describe('a failed job reports its error', () => {
  let p: TestProject;
  let hook: LoopbackHttp;
  beforeEach(async () => {
    p = new TestProject();
    hook = await startHttp(() => ({ status: 200 }));
  });
  afterEach(async () => {
    await hook.close();
    p.cleanup();
  });

  it('in run --json and the webhook body, with the same reject count as the summary', async () => {
    p.write(
      'users.json',
      Array.from({ length: 30 }, (_, i) => ({ email: i % 2 === 0 ? `bad-${i}` : `u${i}@x.io` })),
    );
    p.write(
      'p.yaml',
      `source: { file: users.json }\ntarget: { connection: users }\nvalidate: { max_rejects: 2 }\nbatch: { size: 5, parallelism: 3 }\nnotify:\n  - webhook: ${hook.url}/h\n`,
    );
    const run = await runAsync(['run', 'p.yaml', '--json'], p.dir);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { status: string; summary: { rejected: number }; error: unknown };
    expect(report.status).toBe('failed');
    const error = {
      message: `reject budget exceeded: ${report.summary.rejected} rejected, at most 2 allowed (validate.max_rejects)`,
      code: 'MAX_REJECTS',
      batch: null,
    };
    expect(report.error).toEqual(error);
    expect((JSON.parse(hook.requests[0]!.body.toString('utf8')) as { error: unknown }).error).toEqual(error);
  });

  it('a succeeded job has no error field', async () => {
    p.write('users.json', [{ email: 'a@x.io' }]);
    p.write('p.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    const run = await runAsync(['run', 'p.yaml', '--json'], p.dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).not.toHaveProperty('error');
  });
});
