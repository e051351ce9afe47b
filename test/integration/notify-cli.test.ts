import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry, runFerryAsync, tempDir, type CliResult } from '../helpers/cli.js';
import { closedPort, parseMail, startHttp, startSmtp, type LoopbackHttp, type LoopbackSmtp } from '../unit/notify/loopback.js';

/**
 * `ferry run` end to end with its notifications going to real servers on loopback. The CLI runs
 * as a child process without blocking this one (runFerry would), since the servers live here.
 */

const env = { FERRY_HOOK_SECRET: 'e2e-hook-secret', FERRY_SMTP_PASSWORD: 'e2e-smtp-p4ss' };
const runAsync = (args: string[], cwd: string): Promise<CliResult> => runFerryAsync(args, { cwd, env });

describe('ferry run sends its notifications', () => {
  let dir: string;
  let cleanup: () => void;
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('ferry-notify-e2e-'));
    // STARTTLS offered (a self-signed certificate): a login is sent only over TLS.
    smtp = await startSmtp({
      disabledCommands: [],
      authOptional: false,
      onAuth: (auth, _session, callback) =>
        auth.username === 'ferry' && auth.password === env.FERRY_SMTP_PASSWORD
          ? callback(null, { user: 'ferry' })
          : callback(new Error('Invalid username or password')),
    });
    hook = await startHttp(() => ({ status: 200 }));
    const config = `notify:\n  smtp:\n    url: "smtp://ferry:\${FERRY_SMTP_PASSWORD}@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false"\n    from: ferry@example.com\nconnections:\n  users: { driver: sqlite, path: users.db }\n`;
    writeFileSync(join(dir, 'ferry.yaml'), config);
    writeFileSync(join(dir, 'users.json'), JSON.stringify([{ email: 'ada@example.com' }, { email: 'not-an-email' }, { email: 'alan@example.com' }]));
  });

  afterEach(async () => {
    await Promise.all([smtp.close(), hook.close()]);
    cleanup();
  });

  /**
   * `retry` keeps the engine's retry of a failed notification short but present (2 attempts), so
   * the test shows both layers: the webhook's own attempts, then the engine's.
   */
  const writePipeline = (webhook: string): void => {
    const notify = `notify:\n  - email: [ops@example.com]\n  - webhook: ${webhook}\n    secret_env: FERRY_HOOK_SECRET\n`;
    writeFileSync(
      join(dir, 'import-users.yaml'),
      `source:\n  file: users.json\ntarget:\n  connection: users\nretry: { max_attempts: 2, initial_interval: 50ms }\n${notify}`,
    );
  };

  const jobsShow = (id: string) =>
    JSON.parse(runFerry(['jobs', 'show', id, '--json'], { cwd: dir, env }).stdout) as { status: string; notifications: unknown[] };

  it('emails the summary and posts the signed webhook', async () => {
    writePipeline(`${hook.url}/hook`);
    const run = await runAsync(['run', 'import-users.yaml', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { job: string; status: string; summary: unknown };
    expect(report.status).toBe('succeeded');

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'ferry@example.com', to: ['ops@example.com'], user: 'ferry' });
    const mail = parseMail(smtp.mails[0]!.raw);
    expect(mail.headers['subject']).toBe('[ferry] import-users succeeded: 2 inserted, 1 rejected');
    expect(mail.text).toContain(`Job ${report.job} (pipeline import-users) succeeded.`);
    expect(mail.text).toContain('  row 2  FORMAT  email');
    expect(mail.html).toContain('>FORMAT</td>');

    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect(req.headers['x-ferry-signature']).toBe(`sha256=${createHmac('sha256', env.FERRY_HOOK_SECRET).update(req.body).digest('hex')}`);
    expect(JSON.parse(req.body.toString('utf8'))).toMatchObject({
      event: 'job.finished',
      job: report.job,
      status: 'succeeded',
      summary: report.summary,
      engine: 'embedded',
    });

    expect(jobsShow(report.job).notifications).toEqual([
      { index: 0, ok: true, detail: 'email to ops@example.com' },
      { index: 1, ok: true, detail: `webhook ${hook.url}/hook answered 200` },
    ]);
  });

  it('still ends succeeded when the webhook target is down, and shows the failure', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    writePipeline(url);
    const run = await runAsync(['run', 'import-users.yaml', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { job: string; status: string };
    expect(report.status).toBe('succeeded');
    expect(smtp.mails).toHaveLength(1);
    // The engine retried the notification once (retry.max_attempts 2) after the webhook's own 3 attempts.
    expect(run.stderr).toMatch(/notify:1@1: attempt 1 failed \(notify\[1\]: webhook .* failed after 3 attempts: fetch failed: connect ECONNREFUSED/);

    const shown = jobsShow(report.job);
    expect(shown.status).toBe('succeeded');
    expect(shown.notifications).toEqual([
      { index: 0, ok: true, detail: 'email to ops@example.com' },
      {
        index: 1,
        ok: false,
        detail: expect.stringMatching(new RegExp(`^notify\\[1\\]: webhook ${url} failed after 3 attempts: fetch failed: connect ECONNREFUSED`)) as unknown,
      },
    ]);
    const text = runFerry(['jobs', 'show', report.job], { cwd: dir, env }).stdout;
    expect(text).toContain('notify     FAILED: notify[1]: webhook');
    expect(run.stderr + run.stdout + text).not.toContain(env.FERRY_SMTP_PASSWORD);
  });

  it('tries a failing notification twice however many attempts the pipeline allows its steps', async () => {
    await hook.close();
    hook = await startHttp(() => ({ status: 502 }));
    const notify = `notify:\n  - webhook: ${hook.url}/hook\n`;
    writeFileSync(
      join(dir, 'import-users.yaml'),
      `source:\n  file: users.json\ntarget:\n  connection: users\nretry: { max_attempts: 5, initial_interval: 50ms }\n${notify}`,
    );
    const run = await runAsync(['run', 'import-users.yaml', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    // Two engine attempts of three requests each (the webhook's own), not five of three.
    expect(hook.requests).toHaveLength(6);
    expect(run.stderr).toMatch(/notify:0@1: attempt 1 failed/);
    expect(run.stderr).not.toMatch(/attempt 2 failed/);
    const report = JSON.parse(run.stdout) as { job: string; status: string };
    expect(report.status).toBe('succeeded');
    expect(jobsShow(report.job).notifications).toEqual([
      { index: 0, ok: false, detail: `notify[0]: webhook ${hook.url}/hook failed after 3 attempts: answered 502 Bad Gateway` },
    ]);
  });

  it('masks a path token as the URL encodes it, and escapes what the receiver answered in jobs show', async () => {
    const token = 'Spa ce Tök99';
    await hook.close();
    hook = await startHttp(() => ({ status: 500, body: 'no \x1b]0;pwned\x07 \x1b[2J' }));
    writePipeline(`"${hook.url}/hook/\${HOOK_TOKEN}"`);
    const withToken = { ...env, HOOK_TOKEN: token };
    const run = await runFerryAsync(['run', 'import-users.yaml'], { cwd: dir, env: withToken });
    expect(run.code, run.stderr).toBe(0);
    expect(hook.requests[0]!.path).toBe(`/hook/${encodeURI(token)}`);
    const id = /job (\S+) started/.exec(run.stderr)![1]!;
    const show = runFerry(['jobs', 'show', id], { cwd: dir, env: withToken });
    const json = runFerry(['jobs', 'show', id, '--json'], { cwd: dir, env: withToken });
    expect(show.stdout).toContain(
      `FAILED: notify[1]: webhook ${hook.url}/hook/*** failed after 3 attempts: answered 500 Internal Server Error: no \\x1b]0;pwned\\x07 \\x1b[2J`,
    );
    expect(show.stdout).not.toContain('\x1b');
    for (const out of [run.stderr, show.stdout, json.stdout]) expect(out).toContain('/hook/***');
    for (const out of [run.stderr, run.stdout, show.stdout, json.stdout]) expect(out).not.toMatch(/Spa|T%C3%B6k99|Tök99/);
  });
});
