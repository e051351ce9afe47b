import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { batchThreadPolicy } from '../../../src/engine/embedded/batch-threads.js';
import type { ConnectionOptions } from '../../../src/spec/config-schema.js';

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
});
