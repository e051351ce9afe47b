import { parentPort, workerData } from 'node:worker_threads';
import { isRetryable } from '../src/connections/errors.js';
import { createWriterTurn } from '../src/connections/writer-turn.js';
import { shareFailpointHits } from '../src/failpoints.js';
import type { BatchThreadReply, BatchThreadRequest, BatchThreadSetup, ThreadError } from '../src/engine/embedded/batch-threads.js';
import { SecretMasker } from '../src/spec/secrets.js';
import { ConnectionPool } from './deps.js';
import { JobContexts } from './job-context.js';
import { runBatch } from './run-batch.js';

/**
 * A batch thread: runs the runBatch activity for the embedded engine, with connections of its own.
 * Writes to SQLite take the process's writer turn, so threads write one at a time while the others
 * read, map and validate their next batch.
 */
const setup = workerData as BatchThreadSetup;
shareFailpointHits(setup.failpointHits);
const pool = new ConnectionPool(setup.connections, setup.baseDir, createWriterTurn(setup.writerTurn));
const contexts = new JobContexts({ connections: setup.connections, baseDir: setup.baseDir, masker: new SecretMasker(setup.secrets), pool });
const port = parentPort!;

port.on('message', (request: BatchThreadRequest) => {
  if (request.type === 'forget') return contexts.forget(request.jobDir);
  if (request.type === 'close') return void pool.closeAll().finally(() => port.close());
  runBatch(contexts, undefined, request.input).then(
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
