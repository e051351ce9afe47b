import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A mapping can make each small record large (up to its output limit per record): a chunk also
 * ends once its mapped values pass twice that limit in characters (FERRY_CHUNK_MAX_MAPPED sets
 * another size), so 1,000 such records are not all held before their write. Mapping is
 * deterministic, so a job killed between two chunks resumes with the same chunks.
 */
const RECORDS = 40;
const PAD = 60_000;
const pipeline = (pad: number) =>
  `source: { file: users.ndjson }\ntarget: { connection: users }\ncolumns:\n  email: email\n  user_metadata: '{"bio": $pad(email, ${pad}, "x")}'\n`;

describe('chunks of a batch whose mapping makes large records', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('users.ndjson', Array.from({ length: RECORDS }, (_, i) => JSON.stringify({ email: `u${i}@x.io` })).join('\n') + '\n');
  });
  afterEach(() => p.cleanup());

  const env = { FERRY_CHUNK_MAX_MAPPED: '500000', FERRY_BATCH_THREADS: '0' };
  const stored = (): unknown[] => p.rows("SELECT email, length(json_extract(user_metadata, '$.bio')) AS bio FROM users ORDER BY rowid");
  const expected = (pad: number) => Array.from({ length: RECORDS }, (_, i) => ({ email: `u${i}@x.io`, bio: pad }));

  it('are cut by the size of the mapped values, each with a marker of its own', () => {
    p.write('import.yaml', pipeline(PAD));
    const run = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ total: RECORDS, inserted: RECORDS, rejected: 0 });
    expect(stored()).toEqual(expected(PAD));
    // About 60,000 characters a record: a chunk ends at the record that passes 500,000, the 9th.
    const markers = p.rows(`SELECT count(*) AS n FROM ferry_batches WHERE job = '${report.job}'`);
    expect(markers).toEqual([{ n: Math.ceil(RECORDS / 9) }]);
  });

  it('are the same on a resume: a job killed between two commits writes each row once', () => {
    p.write('import.yaml', pipeline(PAD));
    const killed = runFerry(['run', 'import.yaml'], { cwd: p.dir, env: { ...env, FERRY_FAILPOINTS: 'batch-before-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1];
    expect(id).toBeDefined();
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 18 }]);
    const resumed = runFerry(['jobs', 'resume', id!, '--json'], { cwd: p.dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ total: RECORDS, inserted: RECORDS, rejected: 0 });
    expect(stored()).toEqual(expected(PAD));
  });

  it('keeps memory bounded by default: 40 records of 10 M characters each import under a 400 MB heap', () => {
    // Held whole, the batch's mapped values and their JSON needed about 800 MB, and the process ran out of memory.
    p.write('import.yaml', pipeline(10_000_000));
    const run = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_BATCH_THREADS: '0', NODE_OPTIONS: '--max-old-space-size=400' } });
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    expect((JSON.parse(run.stdout) as JobReportJson).summary).toMatchObject({ total: RECORDS, inserted: RECORDS, rejected: 0 });
    expect(stored()).toEqual(expected(10_000_000));
  });
});
