import { describe, expect, it } from 'vitest';
import { progressOf } from '../../../src/cli/jobs.js';
import { summaryLines, type JobReport } from '../../../src/cli/job-report.js';
import { recordsPerSecond } from '../../../src/cli/pace.js';
import { progressLine } from '../../../src/cli/progress.js';

/**
 * A resumed job's figures: its summary said "succeeded in 0.0s" (the resume's own time, with
 * nothing saying so) and rates counted the batches replayed from the journal, or the days the job
 * lay interrupted, as this run's work.
 */
const report: JobReport = {
  job: 'import-users-1',
  pipeline: 'import-users',
  engine: 'embedded',
  status: 'succeeded',
  summary: { total: 2000, inserted: 2000, updated: 0, unchanged: 0, rejected: 0, exported: 0 },
  artifacts: { dir: '.ferry/jobs/import-users-1', rejects: null, output: null },
  version: '0.0.0',
};

describe('the summary of a resumed job', () => {
  it('says the time is the resume’s and how much was done before it', () => {
    const [first] = summaryLines(report, { kind: 'resume', seconds: 3.21, carried: 1400 }, null);
    expect(first).toBe('job import-users-1 succeeded in 3.2s (this resume; 1400 of 2000 records were done before it)');
  });

  it('never says 0.0s: a resume with only finalizing left took under 0.1s', () => {
    const [first] = summaryLines(report, { kind: 'resume', seconds: 0.004, carried: 2000 }, null);
    expect(first).toBe('job import-users-1 succeeded in under 0.1s (this resume; 2000 of 2000 records were done before it)');
  });

  it('a run keeps its plain line', () => {
    expect(summaryLines(report, { kind: 'run', seconds: 12.34 }, null)[0]).toBe('job import-users-1 succeeded in 12.3s');
  });
});

describe('rates', () => {
  it('are not computed over a near-zero duration', () => {
    expect(recordsPerSecond(1400, 0.02)).toBeUndefined();
    expect(recordsPerSecond(1400, 0)).toBeUndefined();
    expect(recordsPerSecond(1400, 2)).toBe(700);
    expect(progressLine({ done: 1400, total: 2000, rejected: 0, perSecond: undefined }, 120)).toContain('| ? records/s | ETA ?');
  });

  it('of a running resumed job count this run’s records over this run’s time', () => {
    const now = Date.parse('2026-01-02T00:00:10Z');
    const job = {
      summary: { total: 2000, inserted: 1600, updated: 0, unchanged: 0, rejected: 0, exported: 0, batches: { done: 16, total: 20 } },
      // Started a day before, interrupted at 1400 records, resumed 10 s ago.
      startedAt: '2026-01-01T00:00:00Z',
      resumedRun: { startedAt: '2026-01-02T00:00:00Z', carried: 1400 },
    };
    expect(progressOf(job, now)).toEqual({ percent: 80, perSecond: 20, eta: '0m20s' });
  });
});
