import { parentPort, workerData } from 'node:worker_threads';
import { isRetryable } from '../src/connections/errors.js';
import { createWriterTurn } from '../src/connections/writer-turn.js';
import { shareFailpointHits } from '../src/failpoints.js';
import type { BatchThreadReply, BatchThreadRequest, BatchThreadSetup, ThreadError } from '../src/engine/embedded/batch-threads.js';
import { SecretMasker } from '../src/spec/secrets.js';
import { ConnectionPool } from './deps.js';
import { createBatchRunner } from './batch-runner.js';
import type { ActivityProgress } from './progress.js';

/**
 * A batch thread: runs the runBatch activity for the embedded engine, with connections of its own.
 * Writes to SQLite take the process's writer turn, so threads write one at a time while the others
 * read, map and validate their next batch; before each write the thread asks the main thread
 * whether the earlier batches of its job have written (batch-threads.ts), so batches write in order.
 */
const setup = workerData as BatchThreadSetup;
const port = parentPort!;
shareFailpointHits(setup.failpointHits);
let admitted: (() => void) | undefined;
const inOrder = (): Promise<void> =>
  new Promise<void>((resolve) => {
    admitted = resolve;
    port.postMessage({ writeReady: true } satisfies BatchThreadReply);
  });
const pool = new ConnectionPool(setup.connections, setup.baseDir, createWriterTurn(setup.writerTurn, inOrder));
// One batch at a time runs here: `written` is that batch's (its job's next batch may write now).
const progress: ActivityProgress = {
  heartbeat: () => undefined,
  lastDetails: () => undefined,
  throwIfCancelled: () => undefined,
  written: () => port.postMessage({ written: true } satisfies BatchThreadReply),
};
const batches = createBatchRunner({ connections: setup.connections, baseDir: setup.baseDir, masker: new SecretMasker(setup.secrets), pool, progress });

port.on('message', (request: BatchThreadRequest) => {
  if (request.type === 'forget') return batches.contexts.forget(request.jobDir);
  if (request.type === 'close') return void pool.closeAll().finally(() => port.close());
  if (request.type === 'write') return admitted?.();
  batches.runBatch(request.input).then(
    (output) => port.postMessage({ output } satisfies BatchThreadReply),
    (err: unknown) => port.postMessage({ error: threadError(err) } satisfies BatchThreadReply),
  );
});

function threadError(err: unknown): ThreadError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    ...(e.stack ? { stack: e.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    retryable: isRetryable(err),
  };
}
