import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import {
  jobHistory,
  listJobs,
  startRun,
  startWorker,
  taskQueue,
  temporalConfig,
  until,
  withTestClient,
  type FerryWorker,
  type HistoryEvent,
} from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';
import { parseMail, startHttp, startSmtp, type LoopbackHttp, type LoopbackSmtp } from '../unit/notify/loopback.js';

/**
 * On a real Temporal server with a real `ferry worker`: a job of more than 1,000 batches continues
 * as new and ends exact; Temporal Schedules from the pipelines' `schedule:`; the completion email
 * and webhook of a Temporal job, on loopback SMTP and HTTP servers.
 *
 * FERRY_RECORD_HISTORIES=1 also saves the continued job's first run (it ends in continue-as-new)
 * and its last run (it starts from the carried state) as gzipped fixtures that
 * test/unit/temporal/recorded-replay.test.ts replays (about 3,000 events a run: gzipped, they are small).
 */
const record = process.env['FERRY_RECORD_HISTORIES'] === '1';

function saveHistory(name: string, workflowId: string, events: HistoryEvent[]): void {
  const dir = join(repoRoot, 'test', 'fixtures', 'temporal-histories');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify({ workflowId, history: JSON.parse(historyToJSON({ events })) as unknown }) + '\n';
  writeFileSync(join(dir, `${name}.json.gz`), gzipSync(json, { level: 9 }));
}
describeTemporal('Temporal: continue-as-new, schedules, notifications', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  const queue = taskQueue('long');
  let p: TestProject;
  let worker: FerryWorker;
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;

  beforeAll(async () => {
    smtp = await startSmtp({ authOptional: true });
    hook = await startHttp(() => ({ status: 200 }));
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, queue, `notify:\n  smtp: { url: "smtp://127.0.0.1:${smtp.port}", from: ferry@example.com }\n`));
    worker = await startWorker(p.dir);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([smtp?.close(), hook?.close()]);
    p?.cleanup();
  });

  it('a job of 1,100 batches continues as new and ends with exact counts', { timeout: 480_000 }, async () => {
    p.write('many.json', generateUsers(1100, 6, { invalidEvery: 100 }));
    p.write('many.yaml', 'source: { file: many.json }\ntarget: { connection: users }\nbatch: { size: 1, parallelism: 8 }\n');
    const run = startRun(p.dir, 'many.yaml');
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.report().summary).toEqual({ total: 1100, inserted: 1089, updated: 0, unchanged: 0, rejected: 11, exported: 0 });
    expect(Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n'])).toBe(1089);
    const runs = await jobHistory(server().address, run.report().job);
    expect(runs.length).toBeGreaterThanOrEqual(3); // 500 batches a run
    expect(runs.slice(0, -1).every((events) => events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
    if (record) {
      saveHistory('continued-as-new-first-run', run.report().job, runs[0]!);
      saveHistory('continued-as-new-last-run', run.report().job, runs.at(-1)!);
    }
  });

  it(
    '{last_success} comes from Temporal: the second run of an incremental export has only the users changed since the first started',
    { timeout: 240_000 },
    async () => {
      p.write('inc-users.json', [{ email: 'inc-a@example.com' }, { email: 'inc-b@example.com' }]);
      p.write('inc-seed.yaml', 'source: { file: inc-users.json }\ntarget: { connection: users, upsert: true }\n');
      const seeded = startRun(p.dir, 'inc-seed.yaml');
      expect(await seeded.exit, seeded.out.stderr).toBe(0);
      p.write(
        'inc.yaml',
        "source:\n  connection: users\n  query: 'updated_at:[{last_success} TO *]'\n  sort: { by: email }\ntarget:\n  file: 'out/inc-{job}.ndjson'\ncolumns:\n  email: email\n",
      );
      type Shown = { started_at: string; query: { query: string; written?: string; last_success?: string | null } };
      const show = (id: string): Shown => JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as Shown;
      const emails = (output: string): string[] =>
        readFileSync(join(p.dir, output), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { email: string }).email);

      const first = startRun(p.dir, 'inc.yaml');
      expect(await first.exit, first.out.stderr).toBe(0);
      expect(first.report().summary.exported).toBe(Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']));
      const firstJob = show(first.report().job);
      expect(firstJob.query).toMatchObject({ query: 'updated_at:[* TO *]', written: 'updated_at:[{last_success} TO *]', last_success: null });

      // inc-b changes after the first run started: only it is new to the second run.
      const db = new Database(join(p.dir, '.ferry/users.db'));
      db.prepare('UPDATE users SET updated_at = ? WHERE email = ?').run(new Date().toISOString(), 'inc-b@example.com');
      db.close();
      const second = startRun(p.dir, 'inc.yaml');
      expect(await second.exit, second.out.stderr).toBe(0);
      expect(show(second.report().job).query).toMatchObject({ query: `updated_at:[${firstJob.started_at} TO *]`, last_success: firstJob.started_at });
      expect(emails(second.report().artifacts.output!)).toEqual(['inc-b@example.com']);
    },
  );

  it('sends the completion email and webhook of a Temporal job', async () => {
    p.write('notified.json', [{ email: 'ada@example.com' }, { email: 'not-an-email' }]);
    p.write(
      'notified.yaml',
      `source: { file: notified.json }\ntarget: { connection: users, upsert: true }\nnotify:\n  - email: [ops@example.com]\n  - webhook: ${hook.url}/hook\n`,
    );
    // Not p.run: a blocking spawn would stop this process's loopback servers from answering.
    const started = startRun(p.dir, 'notified.yaml');
    expect(await started.exit, started.out.stderr).toBe(0);
    const run = { report: started.report() };
    expect(smtp.mails).toHaveLength(1);
    expect(parseMail(smtp.mails[0]!.raw).headers['subject']).toBe('[ferry] notified succeeded: 1 inserted, 1 rejected');
    expect(hook.requests).toHaveLength(1);
    expect(JSON.parse(hook.requests[0]!.body.toString('utf8'))).toMatchObject({
      event: 'job.finished',
      job: run.report.job,
      engine: 'temporal',
      status: 'succeeded',
    });
    // The delivery id names the workflow run that ended the job (a worker that dies is replaced within it).
    const id = (index: number): RegExp => new RegExp(`^${run.report.job}\\.[0-9a-f-]{36}\\.${index}\\.succeeded$`);
    const delivery = hook.requests[0]!.headers['ferry-delivery-id'];
    expect(delivery).toMatch(id(1));
    expect(JSON.parse(hook.requests[0]!.body.toString('utf8'))).toMatchObject({ delivery_id: delivery });
    expect(parseMail(smtp.mails[0]!.raw).headers['message-id']).toBe(`<${String(delivery).replace(/\.1\.succeeded$/, '.0.succeeded')}@ferry>`);
    const shown = JSON.parse(p.ferry('jobs', 'show', run.report.job, '--json').stdout) as { notifications: { ok: boolean }[] };
    expect(shown.notifications.map((n) => n.ok)).toEqual([true, true]);
  });

  it('tries a failing webhook twice (three requests each) however many attempts the pipeline allows', async () => {
    const failing = await startHttp(() => ({ status: 502 }));
    try {
      p.write('unheard.json', [{ email: 'unheard@example.com' }]);
      p.write(
        'unheard.yaml',
        `source: { file: unheard.json }\ntarget: { connection: users, upsert: true }\nretry: { max_attempts: 5, initial_interval: 50ms }\nnotify:\n  - webhook: ${failing.url}/hook\n`,
      );
      const started = startRun(p.dir, 'unheard.yaml');
      expect(await started.exit, started.out.stderr).toBe(0);
      expect(failing.requests).toHaveLength(6);
      // The engine's second try is an activity retry: the same delivery id as every request before it.
      const ids = failing.requests.map((r) => r.headers['ferry-delivery-id']);
      expect(ids[0]).toMatch(new RegExp(`^${started.report().job}\\.[0-9a-f-]{36}\\.0\\.succeeded$`));
      expect(new Set(ids).size).toBe(1);
      const shown = JSON.parse(p.ferry('jobs', 'show', started.report().job, '--json').stdout) as {
        status: string;
        notifications: { ok: boolean; detail: string }[];
      };
      expect(shown.status).toBe('succeeded');
      expect(shown.notifications).toEqual([
        { index: 0, ok: false, detail: `notify[0]: webhook ${failing.url}/hook failed after 3 attempts: answered 502 Bad Gateway` },
      ]);
    } finally {
      await failing.close();
    }
  });

  it('schedules: apply creates, apply again changes nothing, a triggered run exports, removing schedule: deletes', { timeout: 240_000 }, async () => {
    const nightly = (schedule: string): string =>
      `name: nightly\n${schedule}source: { connection: users, query: '_exists_:email', sort: { by: email } }\ntarget: { file: 'out/users-{job}.csv' }\n`;
    p.write('pipelines/nightly.yaml', nightly('schedule: "0 3 * * *"\n'));
    p.write('pipelines/other.yaml', 'source: { file: ../many.json }\ntarget: { connection: users }\n');
    const applied = p.ferry('schedules', 'apply', '--json');
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ created: [`${queue}:nightly`], deleted: [] });
    const again = p.ferry('schedules', 'apply', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], deleted: [] });
    const listed = p.ferry('schedules', 'list', '--json');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; cron: string }),
    ).toMatchObject([{ id: `${queue}:nightly`, cron: '0 3 * * *' }]);
    // Triggered now instead of at 03:00: a fresh job plans on the worker and exports.
    await withTestClient(server().address, (c) => c.schedule.getHandle(`${queue}:nightly`).trigger());
    await until(() => listJobs(p).some((j) => j.pipeline === 'nightly' && j.status === 'succeeded'), 180_000, 1000);
    const out = join(p.dir, 'pipelines', 'out'); // relative to the pipeline file
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.csv')) : []).toHaveLength(1);
    p.write('pipelines/nightly.yaml', nightly(''));
    const removed = p.ferry('schedules', 'apply', '--json');
    expect(JSON.parse(removed.stdout)).toMatchObject({ deleted: [`${queue}:nightly`] });
    expect(p.ferry('schedules', 'list', '--json').stdout.trim()).toBe('');
  });
});
