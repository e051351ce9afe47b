import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry, runFerryAsync, tempDir, type CliResult } from '../helpers/cli.js';
import { parseMail, startHttp, startSmtp, type LoopbackHttp, type LoopbackSmtp, type ReceivedRequest } from '../unit/notify/loopback.js';

/**
 * The delivery id of a notification (src/plan/delivery-id.ts) end to end, against real servers on
 * loopback: the same in a resend after a crash, a new one for each time the job ends.
 */

describe('notification delivery ids', () => {
  let dir: string;
  let cleanup: () => void;
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('ferry-delivery-id-'));
    smtp = await startSmtp();
    // The first request fails: the webhook's own second attempt must carry the same id.
    hook = await startHttp((n) => (n === 1 ? { status: 500 } : { status: 200 }));
    writeFileSync(
      join(dir, 'ferry.yaml'),
      `notify:\n  smtp:\n    url: "smtp://127.0.0.1:${smtp.port}"\n    from: ferry@example.com\nconnections:\n  users: { driver: sqlite, path: users.db }\n`,
    );
    writeFileSync(join(dir, 'users.json'), JSON.stringify([{ email: 'ada@example.com' }, { email: 'not-an-email' }, { email: 'alan@example.com' }]));
    writeFileSync(
      join(dir, 'import-users.yaml'),
      `source:\n  file: users.json\ntarget:\n  connection: users\nretry: { max_attempts: 2, initial_interval: 10ms }\nnotify:\n  - email: [ops@example.com]\n  - webhook: ${hook.url}/hook\n`,
    );
  });

  afterEach(async () => {
    await Promise.all([smtp.close(), hook.close()]);
    cleanup();
  });

  const ferry = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runFerryAsync(args, { cwd: dir, env });
  const jobOf = (run: CliResult): string => /job (\S+) started/.exec(run.stderr)![1]!;
  const status = (id: string): string => (JSON.parse(runFerry(['jobs', 'show', id, '--json'], { cwd: dir }).stdout) as { status: string }).status;
  const headerIds = (): unknown[] => hook.requests.map((r) => r.headers['ferry-delivery-id']);
  const bodyId = (r: ReceivedRequest): unknown => (JSON.parse(r.body.toString('utf8')) as { delivery_id: unknown }).delivery_id;
  const messageIds = (): unknown[] => smtp.mails.map((m) => parseMail(m.raw).headers['message-id']);

  it('resends with the same ids after a crash between sending and the journal recording it', async () => {
    // Steps recorded: planJob, runBatch:0, finalizeJob, notify:0 (the email), notify:1 (the webhook):
    // the 5th dies after the webhook was delivered, before the journal knows.
    const crashed = await ferry(['run', 'import-users.yaml'], { FERRY_FAILPOINTS: 'step-before-record=5' });
    expect(crashed.code, crashed.stderr).not.toBe(0);
    const id = jobOf(crashed);
    expect(status(id)).toBe('interrupted');
    expect(hook.requests).toHaveLength(2);
    expect(smtp.mails).toHaveLength(1);

    // The resume dies at the same point (its 2nd record: planJob and the batch come from the journal,
    // the email is replayed as the crashed run delivered it), so a run continuing a crashed one
    // passes its id on; the next one ends the job.
    const crashedAgain = await ferry(['jobs', 'resume', id], { FERRY_FAILPOINTS: 'step-before-record=2' });
    expect(crashedAgain.code, crashedAgain.stderr).not.toBe(0);
    expect(status(id)).toBe('interrupted');
    const resumed = await ferry(['jobs', 'resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(status(id)).toBe('succeeded');
    // The webhook, never recorded, went out again each time with the id of the first send; the
    // email, recorded by the first run, went out once.
    expect(headerIds()).toEqual(Array(4).fill(`${id}.1.1.succeeded`));
    expect(hook.requests.map(bodyId)).toEqual(headerIds());
    expect(messageIds()).toEqual([`<${id}.1.0.succeeded@ferry>`]);
    expect(resumed.stderr).toMatch(
      new RegExp(`notify:0@3: delivered by notify:0@1 before the crash \\(delivery id ${id}\\.1\\.0\\.succeeded\\); not sent again`),
    );
  });

  it('does not resend, after a crash, the notifications the crashed run recorded as delivered', async () => {
    const second = await startHttp(() => ({ status: 200 }));
    try {
      writeFileSync(
        join(dir, 'two-hooks.yaml'),
        `source:\n  file: users.json\ntarget:\n  connection: users\nnotify:\n  - webhook: ${hook.url}/first\n  - webhook: ${second.url}/second\n`,
      );
      // The hook's first answer is a 500, the second a 200 (beforeEach): notification 0 is delivered
      // by its own retry. Steps recorded: planJob, runBatch:0, finalizeJob, notify:0: the 4th record
      // is notification 0's, and the run dies right after it, before notification 1 is sent.
      const crashed = await ferry(['run', 'two-hooks.yaml'], { FERRY_FAILPOINTS: 'step-after-record=4' });
      expect(crashed.code, crashed.stderr).not.toBe(0);
      const id = jobOf(crashed);
      expect(status(id)).toBe('interrupted');
      expect(hook.requests).toHaveLength(2);
      expect(second.requests).toHaveLength(0);

      const resumed = await ferry(['jobs', 'resume', id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(status(id)).toBe('succeeded');
      expect(hook.requests).toHaveLength(2);
      expect(second.requests.map((r) => r.headers['ferry-delivery-id'])).toEqual([`${id}.1.1.succeeded`]);
      // The job's record lists both as delivered, the first as the crashed run recorded it.
      const shown = JSON.parse(runFerry(['jobs', 'show', id, '--json'], { cwd: dir }).stdout) as { notifications: { index: number; ok: boolean }[] };
      expect(shown.notifications.map(({ index, ok }) => ({ index, ok }))).toEqual([
        { index: 0, ok: true },
        { index: 1, ok: true },
      ]);
    } finally {
      await second.close();
    }
  });

  it('gives each ending of a job its own ids: failed, resumed and failed again, resumed and succeeded', async () => {
    // A full disk while assembling the reject report fails the job (an error, not a crash).
    const full = { FERRY_FAILPOINTS: 'finalize-part=errno:ENOSPC' };
    const first = await ferry(['run', 'import-users.yaml'], full);
    expect(first.code, first.stderr).toBe(1);
    const id = jobOf(first);
    expect(status(id)).toBe('failed');
    const again = await ferry(['jobs', 'resume', id], full);
    expect(again.code, again.stderr).toBe(1);
    expect(status(id)).toBe('failed');
    const last = await ferry(['jobs', 'resume', id]);
    expect(last.code, last.stderr).toBe(0);
    expect(status(id)).toBe('succeeded');

    // The first POST answered 500 and its retry carries the same id.
    expect(headerIds()).toEqual([`${id}.1.1.failed`, `${id}.1.1.failed`, `${id}.2.1.failed`, `${id}.3.1.succeeded`]);
    expect(hook.requests.map(bodyId)).toEqual(headerIds());
    expect(messageIds()).toEqual([`<${id}.1.0.failed@ferry>`, `<${id}.2.0.failed@ferry>`, `<${id}.3.0.succeeded@ferry>`]);
  });
});
