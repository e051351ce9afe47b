import { threadId } from 'node:worker_threads';

/**
 * One write transaction at a time across the threads of this process, for a store that admits a
 * single writer (SQLite). Without it, a thread that finds the store locked sleeps in the driver's
 * busy handler (1, 2, 5… 100 ms steps) and the lock sits idle meanwhile; with it, the next writer
 * starts the moment the last one commits. Other processes still meet the store's own lock.
 */
export interface WriterTurn {
  /** Runs `write` once no other thread sharing this turn is writing. */
  run<T>(write: () => T): Promise<T>;
  /** The shared cell: pass it to a worker thread, which opens its turn with `createWriterTurn(cell)`. */
  readonly cell: SharedArrayBuffer;
}

/** The cell holds FREE, or the holder's thread id + 1 (the main thread's id is 0). */
const FREE = 0;

/** Atomics.waitAsync is in Node 20; TypeScript's lib has it from es2024 only. */
const waitAsync = (Atomics as unknown as { waitAsync(cell: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> } }).waitAsync;

/**
 * `inOrder`, when given, is awaited before each turn is taken (never while holding it): a batch
 * thread waits there until no earlier batch of its job is still to write (batch-threads.ts).
 */
export function createWriterTurn(cell: SharedArrayBuffer = new SharedArrayBuffer(4), inOrder?: () => Promise<void>): WriterTurn {
  const state = new Int32Array(cell);
  return {
    cell,
    async run(write) {
      if (inOrder) await inOrder();
      for (;;) {
        const holder = Atomics.compareExchange(state, 0, FREE, threadId + 1);
        if (holder === FREE) break;
        const wait = waitAsync(state, 0, holder);
        if (wait.async) await wait.value;
      }
      try {
        return write();
      } finally {
        Atomics.store(state, 0, FREE);
        Atomics.notify(state, 0, 1);
      }
    },
  };
}

/**
 * Frees the turn if the thread `deadThreadId` held it. A thread that dies mid-write (out of memory,
 * a native crash) never runs its `finally`, and every other writer would wait for it forever.
 */
export function releaseTurnOf(cell: SharedArrayBuffer, deadThreadId: number): void {
  const state = new Int32Array(cell);
  if (Atomics.compareExchange(state, 0, deadThreadId + 1, FREE) === deadThreadId + 1) Atomics.notify(state, 0);
}
