import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A batch of large records commits in chunks cut by the source's bytes as well as by count
 * (FERRY_CHUNK_MAX_BYTES, 64 MiB unless set): 1,000 records of megabytes each were all held at
 * once before their write. Cut by file offsets, the chunks are the same on every run, so a job
 * killed between two of them resumes exactly.
 */
const RECORDS = 40;
const PAD = 60_000;
const users = Array.from({ length: RECORDS }, (_, i) => ({ email: `u${i}@x.io`, given_name: `G${i}`, user_metadata: { bio: `${i}`.padEnd(PAD, 'x') } }));
const env = { FERRY_CHUNK_MAX_BYTES: '500000', FERRY_BATCH_THREADS: '0' };

describe('chunks of a batch of large records', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('users.ndjson', users.map((u) => JSON.stringify(u)).join('\n') + '\n');
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\n');
  });
  afterEach(() => p.cleanup());

  const stored = (): unknown[] => p.rows("SELECT email, length(json_extract(user_metadata, '$.bio')) AS bio FROM users ORDER BY rowid");
  const expected = users.map((u) => ({ email: u.email, bio: PAD }));

  it('are cut by bytes: each commits about FERRY_CHUNK_MAX_BYTES of the file, with a marker of its own', () => {
    const run = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ total: RECORDS, inserted: RECORDS, rejected: 0 });
    expect(stored()).toEqual(expected);
    // 60 KB a record: a chunk ends at the record that passes 500,000 bytes, 9 records.
    const markers = p.rows(`SELECT count(*) AS n FROM ferry_batches WHERE job = '${report.job}'`);
    expect(markers).toEqual([{ n: Math.ceil(RECORDS / 9) }]);
  });

  it('are the same on a resume: a job killed between two commits writes each row once', () => {
    const killed = runFerry(['run', 'import.yaml'], { cwd: p.dir, env: { ...env, FERRY_FAILPOINTS: 'batch-before-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1];
    expect(id).toBeDefined();
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 18 }]);
    const resumed = runFerry(['jobs', 'resume', id!, '--json'], { cwd: p.dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ total: RECORDS, inserted: RECORDS, rejected: 0 });
    expect(stored()).toEqual(expected);
  });
});
