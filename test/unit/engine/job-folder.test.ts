import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, JobInfo } from '../../../src/engine/engine.js';
import { isOwnJobFolder, jobFile, jobFolder, JobFolderRefused } from '../../../src/engine/job-folder.js';
import { findRejectedRows } from '../../../src/operator/retry-rejects.js';

/**
 * The one check of where a job's files are read from (the console's downloads, `jobs errors`,
 * `rollback`, `retry-rejects`): inside the state dir's jobs folder, links resolved.
 */
describe('jobFolder', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const setUp = () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-job-folder-'));
    const stateDir = join(root, 'project/.ferry');
    const jobDir = join(stateDir, 'jobs/j1');
    mkdirSync(jobDir, { recursive: true });
    writeFileSync(join(jobDir, 'rejects.ndjson'), '{"row":1,"errors":[]}\n');
    const elsewhere = join(root, 'elsewhere/j1');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, 'rejects.ndjson'), '{"row":2,"errors":[]}\n');
    writeFileSync(join(elsewhere, 'plan.json'), '{}');
    const files = { stateDir, shown: (path: string) => relative(join(root, 'project'), path) };
    const job = { id: 'j1', jobDir, status: 'succeeded', artifacts: null, summary: null } as const;
    return { stateDir, jobDir, elsewhere, files, job };
  };

  it("returns the folder's real path and a file's inside it; undefined for a file that is not there", () => {
    const { jobDir, files, job } = setUp();
    expect(jobFolder(job, files)).toBe(jobDir);
    expect(jobFile(job, join(jobDir, 'rejects.ndjson'), files)).toBe(join(jobDir, 'rejects.ndjson'));
    expect(jobFile(job, join(jobDir, 'backup.ndjson'), files)).toBeUndefined();
  });

  it('refuses a folder outside, as named or through a link', () => {
    const { jobDir, elsewhere, files, job } = setUp();
    expect(() => jobFolder({ ...job, jobDir: elsewhere }, files)).toThrow(
      new JobFolderRefused(
        "refused: the folder of job j1 is not inside the state dir's jobs folder (.ferry/jobs): its record names ../elsewhere/j1",
        'outside',
      ),
    );
    expect(() => jobFolder({ ...job, jobDir: join(files.stateDir, 'jobs/../../../elsewhere/j1') }, files)).toThrow(/its record names \.\.\/elsewhere\/j1$/);
    rmSync(jobDir, { recursive: true });
    symlinkSync(elsewhere, jobDir);
    expect(() => jobFile(job, join(jobDir, 'rejects.ndjson'), files)).toThrow(/: \.ferry\/jobs\/j1 is a link leading out$/);
  });

  it("refuses another job's folder inside the jobs folder, named directly or through `..`", () => {
    const { stateDir, files, job } = setUp();
    mkdirSync(join(stateDir, 'jobs/j2'));
    expect(() => jobFolder({ ...job, jobDir: join(stateDir, 'jobs/j2') }, files)).toThrow(
      "refused: job j1's record names .ferry/jobs/j2, which is not its folder",
    );
    expect(() => jobFolder({ ...job, jobDir: join(stateDir, 'jobs/j1/../j2') }, files)).toThrow('which is not its folder');
    expect(isOwnJobFolder(stateDir, 'j1', join(stateDir, 'jobs/j1'))).toBe(true);
    expect(isOwnJobFolder(stateDir, 'j1', join(stateDir, 'jobs/x/../j1'))).toBe(true);
    expect(isOwnJobFolder(stateDir, 'j1', join(stateDir, 'jobs'))).toBe(false);
    expect(isOwnJobFolder(stateDir, 'a/../j2', join(stateDir, 'jobs/j2'))).toBe(false);
    expect(isOwnJobFolder(stateDir, '..', join(stateDir, 'jobs/..'))).toBe(false);
  });

  it('says a folder is gone, or not yet made', () => {
    const { jobDir, files, job } = setUp();
    rmSync(jobDir, { recursive: true });
    expect(() => jobFolder({ ...job, summary: { total: 3 } as JobInfo['summary'] }, files)).toThrow(
      'the folder of job j1 is gone (.ferry/jobs/j1): it was deleted, with its reports and backup',
    );
    expect(() => jobFolder(job, files)).toThrow('job j1 has no folder (.ferry/jobs/j1): it ended before planning made one, or the folder was deleted');
    expect(() => jobFolder({ ...job, status: 'running' }, files)).toThrow('job j1 has no folder yet (.ferry/jobs/j1): it is still planning');
  });

  // On Temporal the memo (jobDir) and the workflow's input (plan.jobDir) are both written by whoever starts the workflow.
  it("retry-rejects checks the folder the job's plan names, not only the one its listing names", async () => {
    const { jobDir, elsewhere, files } = setUp();
    const job = {
      id: 'j1',
      status: 'succeeded',
      jobDir,
      artifacts: null,
      summary: null,
      plan: { jobDir: elsewhere, source: { type: 'file', path: join(root, 'users.csv') } },
    } as unknown as JobInfo;
    const engine = { get: async () => job } as unknown as Engine;
    await expect(findRejectedRows(engine, 'j1', files)).rejects.toThrow("refused: the folder of job j1 is not inside the state dir's jobs folder");
  });
});
