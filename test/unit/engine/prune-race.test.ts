import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobRefused } from '../../../src/engine/engine.js';
import type { Journal, Liveness } from '../../../src/engine/embedded/journal.js';
import { pruneJournal } from '../../../src/engine/embedded/prune.js';
import { useTempJournal } from '../../helpers/temp-journal.js';
import { testPlan } from '../../helpers/fake-activities.js';

/**
 * `jobs prune` against a resume, a rollback or another prune in between its choice and its
 * deletions. pruneJournal chooses synchronously and then yields (the `prune-before-delete` pause
 * point) before it deletes: what a test does right after calling it lands exactly in that window.
 */

const LONG_AGO = '2026-01-01T00:00:00.000Z';
const CUTOFF = new Date('2026-02-01T00:00:00.000Z');
const dead: Liveness = { now: new Date(), staleMs: 10_000, state: () => 'dead' };

let dir: string;
let journal: Journal;
useTempJournal((fresh) => ({ dir, journal } = fresh));

/** An old job, ended with `status`, with a folder in the state dir. */
function oldJob(id: string, status: 'cancelled' | 'failed' | 'succeeded', created = LONG_AGO): string {
  const jobDir = join(dir, 'jobs', id);
  mkdirSync(jobDir, { recursive: true });
  writeFileSync(join(jobDir, 'rejects.ndjson'), '{}\n');
  journal.createJob({ ...testPlan(), jobId: id, jobDir, startedAt: created }, status, created);
  journal.update(id, { endedAt: created });
  return jobDir;
}

const prune = () => pruneJournal(journal, dir, { endedBefore: CUTOFF, dryRun: false, includeBackups: true });

describe('jobs prune while other processes act on its jobs', () => {
  it('skips a job resumed after it was chosen: its record, steps and folder stay, and the report says so', async () => {
    const folder = oldJob('x', 'cancelled');
    journal.recordStep('x', 'planJob', { checksum: 'c' }, LONG_AGO);
    const report = prune();
    // What `ferry jobs resume x` does first: its next run, then the lease, then pending.
    journal.update('x', { run: 2 });
    const lease = journal.claim('x', 4242, dead)!;
    journal.update('x', { status: 'pending', endedAt: null }, lease);
    const { pruned, kept } = await report;
    expect(pruned).toEqual([]);
    expect(kept).toEqual([{ id: 'x', reason: expect.stringMatching(/^skipped, changed while the prune ran: it is now pending$/) as unknown }]);
    expect(journal.getJob('x')).toMatchObject({ status: 'pending', run: 2 });
    expect(journal.getStep('x', 'planJob')).toEqual({ checksum: 'c' });
    expect(existsSync(folder)).toBe(true);
  });

  it('skips a job whose resume ran to success meanwhile (its backup and the {last_success} cursor stay)', async () => {
    const folder = oldJob('x', 'failed');
    const report = prune();
    journal.update('x', { run: 2 });
    journal.update('x', { status: 'succeeded', endedAt: LONG_AGO }); // ended "long ago" too: only the run tells
    const { pruned, kept } = await report;
    expect(pruned).toEqual([]);
    expect(kept[0]?.reason).toMatch(/^skipped, changed while the prune ran: it is now succeeded/);
    expect(journal.lastSuccessJob('p')).toBe('x');
    expect(existsSync(folder)).toBe(true);
  });

  it('skips a job a rollback started meanwhile reads (its backup)', async () => {
    const folder = oldJob('x', 'succeeded');
    oldJob('newer', 'succeeded', '2026-01-02T00:00:00.000Z'); // the cursor of p, so x is not
    const report = prune();
    journal.createJob(
      { ...testPlan(), jobId: 'undo-x', jobDir: join(dir, 'jobs', 'undo-x'), rollback: { job: 'x' } } as never,
      'pending',
      new Date().toISOString(),
    );
    const { kept } = await report;
    expect(kept.find((k) => k.id === 'x')?.reason).toBe('skipped, changed while the prune ran: job undo-x reads its files');
    expect(existsSync(folder)).toBe(true);
  });

  it('a resume that read the job before prune deleted it is refused with a clear message, not carried on', async () => {
    const folder = oldJob('x', 'cancelled');
    const seen = journal.getJob('x')!; // the resume's first read
    const { pruned } = await prune();
    expect(pruned.map((j) => j.id)).toEqual(['x']);
    expect(existsSync(folder)).toBe(false);
    expect(() => journal.update('x', { run: seen.run + 1 })).toThrow(JobRefused);
    expect(() => journal.update('x', { run: seen.run + 1 })).toThrow(/job x is no longer in the journal: ferry jobs prune deleted it meanwhile/);
  });

  it('still deletes the jobs that did not change, record first, folder after', async () => {
    const a = oldJob('a', 'cancelled');
    const b = oldJob('b', 'failed');
    const report = prune();
    journal.update('b', { run: 2 });
    const { pruned } = await report;
    expect(pruned.map((j) => j.id)).toEqual(['a']);
    expect(journal.getJob('a')).toBeUndefined();
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(true);
  });
});
