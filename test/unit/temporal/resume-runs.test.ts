import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { continueAfterCancel } from '../../../src/engine/temporal/cancelled-resume.js';
import { unplannedJob } from '../../../src/engine/temporal/control.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const fixtures = fileURLToPath(new URL('../../fixtures/temporal-histories/', import.meta.url));

/** A history recorded from a real job (test/integration/temporal-jobs.test.ts, FERRY_RECORD_HISTORIES=1). */
function events(file: string): HistoryEvent[] {
  const bytes = readFileSync(`${fixtures}${file}`);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return historyFromJSON((JSON.parse(text) as { history: unknown }).history).events ?? [];
}

const typeOf = (all: HistoryEvent[], e: HistoryEvent): string | undefined => {
  const scheduled = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
  return all.find((s) => String(s.eventId) === scheduled)?.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
};
/** The history without the completions of these activities, as if they had not finished. */
const without = (all: HistoryEvent[], drop: (type: string | undefined, e: HistoryEvent) => boolean): HistoryEvent[] =>
  all.filter((e) => !(e.activityTaskCompletedEventAttributes && drop(typeOf(all, e), e)));

const recorded = [
  'succeeded.json',
  'cancelled.json',
  'reset.json',
  'worker-killed.json',
  'continued-as-new-first-run.json.gz',
  'continued-as-new-last-run.json.gz',
];

describe('unplannedJob: a job whose planning never finished is planned again on resume', () => {
  it.each(recorded)('a run that planned, or continued with its plan (%s), is not', (file) => {
    expect(unplannedJob(events(file))).toBeUndefined();
  });

  it('a run whose planJob did not complete gives its plan', () => {
    const plan = unplannedJob(without(events('succeeded.json'), (type) => type === 'planJob'));
    expect(plan).toMatchObject({ version: 1, pipeline: 'small' });
  });
});

describe('continueAfterCancel: a cancelled job goes on after every batch it finished', () => {
  it('counts the batches the cancelled run finished, in order from its first, and keeps its table', () => {
    const all = events('cancelled.json');
    const finished = all.filter((e) => e.activityTaskCompletedEventAttributes && typeOf(all, e) === 'runBatch').length;
    const run = continueAfterCancel(all);
    expect(finished).toBeGreaterThan(0);
    expect(run?.args[0]).toMatchObject({ pipeline: 'cancel' });
    const state = run!.args[1];
    expect(state.nextBatch).toBe(finished);
    expect(state.summary).toMatchObject({ total: 4000, batches: { done: finished, total: 16 } });
    expect(state.summary.inserted + state.summary.updated + state.summary.unchanged).toBe(finished * 250);
    expect(run!.args[2]).toMatchObject({ connection: 'users', table: 'users' });
  });

  it('is undefined for a run with a gap among its finished batches (one failed), which a reset redoes', () => {
    const all = events('cancelled.json');
    const batches = all.filter((e) => e.activityTaskCompletedEventAttributes && typeOf(all, e) === 'runBatch');
    expect(continueAfterCancel(without(all, (_type, e) => e === batches[0]))).toBeUndefined();
  });

  it('is undefined for a run that never planned', () => {
    expect(continueAfterCancel(without(events('cancelled.json'), (type) => type === 'planJob'))).toBeUndefined();
  });
});
