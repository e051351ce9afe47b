import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportPipeline, SEED } from '../helpers/exports.js';
import type { JobReportJson } from '../helpers/project.js';
import { EnginePair, table } from '../helpers/temporal-contract.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startWorker, taskQueue, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The engine contract suite: each job below runs through the CLI on the embedded engine and on a
 * real Temporal server with a real `ferry worker`, and must give the same exit code, summary,
 * table, reject report and files.
 */
describeTemporal('engine contract: embedded and Temporal give the same results', () => {
  const server = useTemporalServer();
  let pair: EnginePair;
  let worker: FerryWorker;

  beforeAll(async () => {
    pair = new EnginePair(server().address, taskQueue('contract'), ['csv', 'json', 'exp', 'legacy', 'mig', 'retry', 'roll', 'chg']);
    worker = await startWorker(pair.temporal.dir);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    pair?.cleanup();
  });

  it('imports CSV, then upserts a changed file with metadata merge', () => {
    const pipeline = (file: string): string =>
      `source: { file: ${file}, csv: { header: true } }\ntarget: { connection: csv, key: [email], upsert: true, metadata: merge }\n` +
      "columns:\n  email: $lowercase(Email)\n  given_name: FirstName\n  family_name: LastName\n  email_verified: Verified = 'yes'\n" +
      '  phone_number: Phone\n  user_metadata: \'{"plan": Plan, "locale": Locale}\'\nbatch: { size: 2, parallelism: 2 }\n';
    pair.write('import-csv.yaml', pipeline('data/legacy-users.csv'));
    const first = pair.run('import-csv.yaml');
    pair.expectSameRun(first);
    expect(first.embedded.report.summary).toMatchObject({ total: 7, inserted: 5, rejected: 2 });
    // Two plans change, one row is new, one stays: merge keeps the locale written before.
    pair.write(
      'changed.csv',
      'Email,FirstName,LastName,Plan,Verified,Phone\nada.lovelace@example.com,Ada,Lovelace,enterprise,yes,\nclaude.shannon@example.com,Claude,Shannon,pro,no,+16175550123\nnew@example.com,New,User,free,no,\n',
    );
    pair.write('upsert-csv.yaml', pipeline('changed.csv').replace('"locale": Locale', '"since": 2026'));
    const second = pair.run('upsert-csv.yaml');
    pair.expectSameRun(second);
    expect(second.embedded.report.summary).toMatchObject({ total: 3, inserted: 1, updated: 2, rejected: 0 });
    const rows = pair.expectSameTable('csv');
    expect(rows.find((r) => r['email'] === 'ada.lovelace@example.com')?.['user_metadata']).toBe('{"plan":"enterprise","locale":"en-GB","since":2026}');
  });

  it('imports JSON with rejects, then upserts 151 records with metadata merge in parallel batches', () => {
    pair.write('seed.json', generateUsers(300, 3, { invalidEvery: 50 }));
    pair.write('seed-json.yaml', 'source: { file: seed.json }\ntarget: { connection: json }\nbatch: { size: 64, parallelism: 3 }\n');
    const seeded = pair.run('seed-json.yaml');
    pair.expectSameRun(seeded);
    expect(seeded.embedded.report.summary).toMatchObject({ total: 300, inserted: 294, rejected: 6 });
    const updates: Record<string, unknown>[] = generateUsers(350, 3)
      .slice(200)
      .map((u, i) => ({ ...u, given_name: `Renamed${i}`, user_metadata: { plan: 'team', added: i } }));
    updates[10] = { ...updates[10], email: 'not-an-email' };
    pair.write('updates.json', updates);
    pair.write(
      'upsert-json.yaml',
      'source: { file: updates.json }\ntarget: { connection: json, upsert: true, metadata: merge }\nbatch: { size: 40, parallelism: 1 }\n',
    );
    const upsert = pair.run('upsert-json.yaml');
    pair.expectSameRun(upsert);
    expect(upsert.embedded.report.summary).toMatchObject({ total: 150, inserted: 52, updated: 97, rejected: 1 });
    expect(pair.expectSameTable('json')).toHaveLength(346);
  });

  it('exports with a query and a sort, to CSV and to JSON, byte for byte the same', () => {
    pair.write('seed/users.json', SEED);
    pair.write('seed-exp.yaml', 'source: { file: seed/users.json }\ntarget: { connection: exp }\n');
    pair.expectSameRun(pair.run('seed-exp.yaml'));
    const exporting = (file: string, extra = ''): string =>
      exportPipeline({ file, query: 'user_metadata.plan:pro OR nickname:ada', sort: '{ by: created_at, order: desc }', extra }).replace(
        'connection: users',
        'connection: exp',
      );
    pair.write('export-csv.yaml', exporting('out/users.csv', 'batch: { size: 2 }\n'));
    pair.write('export-json.yaml', exporting('out/users.json'));
    for (const [file, out] of [
      ['export-csv.yaml', 'out/users.csv'],
      ['export-json.yaml', 'out/users.json'],
    ] as const) {
      const runs = pair.run(file);
      pair.expectSameRun(runs);
      expect(runs.embedded.report.summary).toMatchObject({ exported: 3 });
      expect(pair.expectSameFile(out)).toContain('ada@x.io');
    }
  });

  it('migrates one connection into another', () => {
    // Fixed ids and timestamps: the rejects quote the source rows, which must be the same on both sides.
    const at = '2025-05-05T05:05:05.000Z';
    pair.write(
      'legacy.json',
      generateUsers(120, 9, { invalidEvery: 30 }).map((u, i) => ({
        ...u,
        user_id: `legacy|${i}`,
        created_at: at,
        updated_at: at,
        email: String(u['email']).toUpperCase(),
      })),
    );
    pair.write('seed-legacy.yaml', 'source: { file: legacy.json }\ntarget: { connection: legacy }\nvalidate: { schema: none }\n');
    pair.expectSameRun(pair.run('seed-legacy.yaml'));
    pair.write(
      'migrate.yaml',
      "source: { connection: legacy, query: 'email_verified:true', sort: { by: email } }\ntarget: { connection: mig, upsert: true }\n" +
        'columns:\n  email: $lowercase(email)\n  given_name: given_name\n  family_name: $uppercase(family_name)\n  user_metadata: user_metadata\nbatch: { size: 16, parallelism: 2 }\n',
    );
    const runs = pair.run('migrate.yaml');
    pair.expectSameRun(runs);
    expect(runs.embedded.report.summary.rejected).toBeGreaterThan(0);
    expect(pair.expectSameTable('mig').length).toBe(runs.embedded.report.summary.inserted);
  });

  /**
   * The operator tools take an Engine (src/operator/): each is two tests, the job it works on (the
   * same on both engines), then the tool on each engine's job.
   */
  let retrySource: ReturnType<EnginePair['run']>;
  let rollbackSource: ReturnType<EnginePair['run']>;
  let beforeUpsert: Record<string, unknown>[];
  const retryPipeline = (rule: string): string =>
    `source: { file: retry.json }\ntarget: { connection: retry }\nbatch: { size: 25 }\nvalidate:\n  schema: user\n  rules:\n    - check: ${rule}\n      message: plan refused\n`;

  it('retry-rejects: the job with rejects is the same on both engines', () => {
    pair.write('retry.json', generateUsers(120, 5, { invalidEvery: 40 }));
    pair.write('retry.yaml', retryPipeline("user_metadata.plan != 'pro'"));
    retrySource = pair.run('retry.yaml');
    pair.expectSameRun(retrySource);
    expect(retrySource.embedded.report.summary).toMatchObject({ total: 120, inserted: 78, rejected: 42 });
  });

  it('retry-rejects imports exactly the rejected records once the pipeline is fixed', () => {
    pair.write('retry.yaml', retryPipeline('$exists(email)'));
    const retried = pair.ferry((e) => ['jobs', 'retry-rejects', retrySource[e].report.job, '--json']);
    expect(retried.embedded.code, retried.embedded.stderr).toBe(0);
    expect(retried.temporal.code, retried.temporal.stderr).toBe(0);
    const reports = { embedded: JSON.parse(retried.embedded.stdout) as JobReportJson, temporal: JSON.parse(retried.temporal.stdout) as JobReportJson };
    expect(reports.embedded.summary).toMatchObject({ total: 42, inserted: 39, rejected: 3 });
    expect(reports.temporal.summary).toEqual(reports.embedded.summary);
    pair.expectSameTable('retry');
  });

  it('rollback: the upsert with metadata merge to roll back is the same on both engines', () => {
    pair.write('roll-seed.json', generateUsers(100, 4));
    pair.write('roll-seed.yaml', 'source: { file: roll-seed.json }\ntarget: { connection: roll }\n');
    pair.expectSameRun(pair.run('roll-seed.yaml'));
    beforeUpsert = pair.expectSameTable('roll');
    pair.write(
      'roll-updates.json',
      generateUsers(130, 4)
        .slice(60)
        .map((u, i) => ({ ...u, given_name: `Changed${i}`, user_metadata: { plan: 'team' } })),
    );
    pair.write('roll.yaml', 'source: { file: roll-updates.json }\ntarget: { connection: roll, upsert: true, metadata: merge }\nbatch: { size: 20 }\n');
    rollbackSource = pair.run('roll.yaml');
    pair.expectSameRun(rollbackSource);
    expect(rollbackSource.embedded.report.summary).toMatchObject({ total: 70, inserted: 30, updated: 40 });
    expect(pair.expectSameTable('roll')).not.toEqual(beforeUpsert);
  });

  it('rollback puts back the table the upsert changed', () => {
    const rolled = pair.ferry((e) => ['jobs', 'rollback', rollbackSource[e].report.job, '--json']);
    expect(rolled.embedded.code, rolled.embedded.stderr).toBe(0);
    expect(table(pair.embedded, 'roll')).toEqual(beforeUpsert);
    expect(rolled.temporal.code, rolled.temporal.stderr).toBe(0);
    expect(table(pair.temporal, 'roll')).toEqual(beforeUpsert);
  });

  it('a job rolled back is not resumed: a resume would leave what the rollback undid undone', () => {
    const resumed = pair.ferry((e) => ['jobs', 'resume', rollbackSource[e].report.job]);
    for (const e of ['embedded', 'temporal'] as const) {
      expect(resumed[e].code, resumed[e].stderr).toBe(1);
      expect(resumed[e].stderr).toMatch(new RegExp(`refusing to resume job ${rollbackSource[e].report.job}: job \\S+ rolled it back \\(succeeded\\)`));
    }
    expect(table(pair.temporal, 'roll')).toEqual(beforeUpsert);
  });

  it("a job whose pipeline or source file changed is not resumed: its batches still to run would be another job's", () => {
    const pipeline = (given: string): string =>
      `source: { file: chg.json }\ntarget: { connection: chg }\ncolumns:\n  email: email\n  given_name: ${given}\nvalidate: { max_rejects: 0 }\nbatch: { size: 10 }\n`;
    pair.write('chg.json', generateUsers(40, 6, { invalidEvery: 15 }));
    pair.write('chg.yaml', pipeline('given_name'));
    const failed = pair.run('chg.yaml');
    pair.expectSameRun(failed);
    expect(failed.embedded.report.status).toBe('failed');
    const rows = pair.expectSameTable('chg');
    const resume = (): ReturnType<EnginePair['ferry']> => pair.ferry((e) => ['jobs', 'resume', failed[e].report.job]);

    pair.write('chg.yaml', pipeline('$uppercase(given_name)'));
    const changedPipeline = resume();
    pair.write('chg.yaml', pipeline('given_name'));
    pair.write('chg.json', generateUsers(40, 7));
    const changedSource = resume();
    for (const e of ['embedded', 'temporal'] as const) {
      const job = failed[e].report.job;
      expect(changedPipeline[e].code, changedPipeline[e].stderr).toBe(1);
      expect(changedPipeline[e].stderr).toContain(
        `the pipeline changed since job ${job} started, so resuming would mix two versions of the job:\n  columns.given_name: "given_name" → "$uppercase(given_name)"`,
      );
      expect(changedSource[e].code, changedSource[e].stderr).toBe(1);
      expect(changedSource[e].stderr).toMatch(
        new RegExp(`the source file \\S*chg\\.json changed since job ${job} was planned \\(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\\)`),
      );
    }
    expect(pair.expectSameTable('chg')).toEqual(rows);
  });
});
