import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor } from '@temporalio/client';
import { unreachable, type TemporalSettings } from './settings.js';

/** gRPC NOT_FOUND: what DescribeNamespace answers for a namespace the server does not have. */
const NOT_FOUND = 5;

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
  try {
    await refuseMissingNamespace(connection, settings);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return new Client({ connection, namespace: settings.namespace });
}

/**
 * Asks for the namespace once, up front: without it each command said the server's bare
 * "Namespace not found: 'x'", and `ferry worker` printed the native worker's status dump and then
 * never exited (the SDK's workflow threads, started before the worker found the namespace missing,
 * are left running). Any other answer (a server that does not let this role describe namespaces)
 * is left to the calls that follow.
 */
async function refuseMissingNamespace(connection: Connection, settings: TemporalSettings): Promise<void> {
  const missing = await connection.workflowService.describeNamespace({ namespace: settings.namespace }).then(
    () => false,
    (err: unknown) => isGrpcServiceError(err) && err.code === NOT_FOUND,
  );
  if (missing) throw new Error(missingNamespace(settings));
}

export function missingNamespace(settings: Pick<TemporalSettings, 'address' | 'namespace'>): string {
  return (
    `namespace ${settings.namespace} does not exist on Temporal at ${settings.address}: create it ` +
    `(temporal operator namespace create --namespace ${settings.namespace} --address ${settings.address}) or set temporal.namespace in ferry.yaml`
  );
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
