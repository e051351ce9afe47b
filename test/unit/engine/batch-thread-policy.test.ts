import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { batchThreadPolicy, withBatchThreads, type BatchThreads } from '../../../src/engine/embedded/batch-threads.js';
import type { PlanJobOutput } from '../../../src/plan/activity-types.js';
import type { ConnectionOptions } from '../../../src/spec/config-schema.js';
import { fakeActivities, testPlan } from '../../helpers/fake-activities.js';

/** Any file that exists stands in for the compiled thread entry. */
const entry = new URL(import.meta.url);
const file: ConnectionOptions = { driver: 'sqlite', path: 'users.db', table: 'users' };
const memory: ConnectionOptions = { driver: 'sqlite', path: ':memory:', table: 'users' };
const server: ConnectionOptions = { driver: 'postgres', url: 'postgres://ferry@127.0.0.1/ferry', table: 'users', pool: 4 };

describe('batch thread policy', () => {
  it('takes FERRY_BATCH_THREADS as asked, for every store that a thread can reach', () => {
    expect(batchThreadPolicy({ FERRY_BATCH_THREADS: '3' }, { users: file, crm: server }, entry)).toEqual({ count: 3, asked: true, heapMb: undefined });
    expect(batchThreadPolicy({ FERRY_BATCH_THREADS: '0' }, { users: file }, entry)).toEqual({ count: 0, asked: true, heapMb: undefined });
  });

  it('defaults to 2 threads on more than one core, none on one, and not as asked', () => {
    expect(batchThreadPolicy({}, { users: file, crm: server }, entry)).toEqual({ count: availableParallelism() > 1 ? 2 : 0, asked: false, heapMb: undefined });
  });

  it('limits no thread heap by default, each to FERRY_BATCH_THREAD_HEAP_MB when set, none for 0', () => {
    expect(batchThreadPolicy({ FERRY_BATCH_THREAD_HEAP_MB: '256' }, { users: file }, entry).heapMb).toBe(256);
    expect(batchThreadPolicy({ FERRY_BATCH_THREAD_HEAP_MB: '' }, { users: file }, entry).heapMb).toBeUndefined();
    expect(batchThreadPolicy({ FERRY_BATCH_THREAD_HEAP_MB: '0' }, { users: file }, entry).heapMb).toBeUndefined();
  });

  it('starts no thread when a store is SQLite :memory: (a thread would open a database of its own), even when asked', () => {
    expect(batchThreadPolicy({ FERRY_BATCH_THREADS: '2' }, { users: file, scratch: memory }, entry).count).toBe(0);
  });

  it('starts no thread when the compiled thread entry is missing', () => {
    expect(batchThreadPolicy({ FERRY_BATCH_THREADS: '2' }, { users: file }, new URL('./no-such-entry.js', import.meta.url)).count).toBe(0);
  });

  it("stops idle threads before a job's finalize, but not while another job's plan has warmed them for its batches", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-warm-'));
    try {
      // A source past the size worth warming threads for.
      const source = join(dir, 'users.json');
      writeFileSync(source, `[${'{"email":"a@b.co"},'.repeat(70_000)}{"email":"z@b.co"}]`);
      const base = testPlan();
      const planOf = (jobDir: string) => ({ plan: { ...base, jobDir, batch: { ...base.batch, parallelism: 2 }, source: { ...base.source, path: source } } });
      const events: string[] = [];
      const threads: BatchThreads = {
        run: () => Promise.reject(new Error('no batch runs here')),
        warm: () => events.push('warm'),
        forget: () => undefined,
        stopIdle: () => Promise.resolve(void events.push('stopIdle')),
        close: () => Promise.resolve(),
      };
      let planned: (output: PlanJobOutput) => void = () => undefined;
      const acts = { ...fakeActivities({ total: 2, batches: 2 }).acts, planJob: () => new Promise<PlanJobOutput>((resolve) => (planned = resolve)) };
      const policy = withBatchThreads(acts, threads, { asked: false, connections: { users: file } });
      const finalize = (jobDir: string) => policy.finalizeJob({ jobDir, batches: 2, status: 'succeeded' });

      const planB = policy.planJob(planOf(join(dir, 'b')));
      await finalize(join(dir, 'a'));
      expect(events).toEqual(['warm']);
      planned({ checksum: 'c', total: 2, batches: 2 });
      await planB;
      await finalize(join(dir, 'b'));
      expect(events).toEqual(['warm', 'stopIdle']);

      // A job that planned and never came to its batches (its lease lost) holds them a minute, not for good.
      vi.useFakeTimers({ toFake: ['performance'] });
      const planC = policy.planJob(planOf(join(dir, 'c')));
      planned({ checksum: 'c', total: 2, batches: 2 });
      await planC;
      await finalize(join(dir, 'd'));
      expect(events).toEqual(['warm', 'stopIdle', 'warm']);
      vi.advanceTimersByTime(61_000);
      await finalize(join(dir, 'e'));
      expect(events).toEqual(['warm', 'stopIdle', 'warm', 'stopIdle']);
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
