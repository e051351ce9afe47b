import { setMaxListeners } from 'node:events';
import type { Client } from '@temporalio/client';

/** The engine's calls to the server, so that closing its connection never strands one. */
export interface ServerCalls {
  /** Runs `fn` as one counted call; its signal aborts when the engine starts closing. Refused once it has. */
  run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** False once closing started: a failed call is then not retried. */
  retrying(): boolean;
  /** Stops retries, aborts what is in flight, and resolves once every call has settled. */
  drain(): Promise<void>;
}

/**
 * The client retries a failed call on a timer (its gRPC retry interceptor). A retry whose timer
 * fires after the connection closed throws "Channel has been shut down" from that timer, uncaught,
 * and the process exits 1 (`ferry ui` did, on Ctrl-C, while its jobs list was being polled). So
 * the engine closes its connection only after `drain`: no call is left to retry by then.
 */
export function createServerCalls(): ServerCalls {
  const inFlight = new Map<Promise<unknown>, AbortController>();
  let closing = false;
  return {
    run(fn) {
      if (closing) return Promise.reject(new Error('the Temporal engine is closed'));
      const controller = new AbortController();
      const call = fn(controller.signal);
      inFlight.set(call, controller);
      const settled = (): void => void inFlight.delete(call);
      call.then(settled, settled);
      return call;
    },
    retrying: () => !closing,
    async drain() {
      closing = true;
      for (const controller of inFlight.values()) controller.abort();
      await Promise.allSettled(inFlight.keys());
    },
  };
}

/**
 * Runs `fn`'s requests under an abort signal of their own, aborted with `signal` (or after
 * `renewMs`), and unlinked from it once `fn` settles. The client adds a listener to the signal in
 * scope for every request it sends and never removes it (connection.js, generateRPCImplementation):
 * a follow that polled its job's progress each second under one signal piled up one a second
 * (MaxListenersExceededWarning after 11, and a leak for as long as the job ran). A signal per poll
 * takes its listeners with it.
 */
export async function withOwnSignal<T>(
  client: Client,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
  renewMs?: number,
  manyAtOnce = false,
): Promise<T> {
  const own = new AbortController();
  // Many requests at once (withRequestsAtOnce): each holds a listener until `fn` settles, and all go with `own`.
  if (manyAtOnce) setMaxListeners(0, own.signal);
  const abort = (): void => own.abort();
  if (signal?.aborted) own.abort();
  signal?.addEventListener('abort', abort, { once: true });
  const timer = renewMs === undefined ? undefined : setTimeout(abort, renewMs);
  try {
    return await client.withAbortSignal(own.signal, fn);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/**
 * `fn` sending many requests at once under one signal of its own (the counts of a jobs list: a
 * request or more per job, all at once): their listeners end with that signal when `fn` settles,
 * so Node's warning at 11 would be a false alarm. `jobs list` of 9 jobs printed it.
 */
export function withRequestsAtOnce<T>(client: Client, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return withOwnSignal(client, signal, fn, undefined, true);
}
