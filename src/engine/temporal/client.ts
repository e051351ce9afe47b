import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { unreachable, type TemporalSettings } from './settings.js';

/**
 * A client for the configured namespace; a connection failure names the address and what to do.
 * Failed calls are retried as the client's default does, while `retrying()` says so.
 */
export async function connectClient(settings: TemporalSettings, retrying: () => boolean = () => true): Promise<Client> {
  const retry = defaultGrpcRetryOptions();
  const interceptors = [makeGrpcRetryInterceptor({ ...retry, retryableDecider: (attempt, status) => retrying() && retry.retryableDecider(attempt, status) })];
  const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s', interceptors }).catch((err: unknown) => {
    throw unreachable(settings, err);
  });
  return new Client({ connection, namespace: settings.namespace });
}

/** Runs `fn` with a client and closes its connection afterwards. */
export async function withClient<T>(settings: TemporalSettings, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(settings);
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}
