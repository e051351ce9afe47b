import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor, type TLSConfig } from '@temporalio/client';
import { tlsHandshake } from './tls-handshake.js';
import { messageOf, unreachable, type TemporalSettings, type TemporalTls } from './settings.js';

/** gRPC NOT_FOUND: what DescribeNamespace answers for a namespace the server does not have. */
const NOT_FOUND = 5;

/**
 * A client for the configured namespace; a connection failure names the address and what to do.
 * Failed calls are retried as the client's default does, while `retrying()` says so.
 */
export async function connectClient(settings: TemporalSettings, retrying: () => boolean = () => true): Promise<Client> {
  const retry = defaultGrpcRetryOptions();
  const interceptors = [makeGrpcRetryInterceptor({ ...retry, retryableDecider: (attempt, status) => retrying() && retry.retryableDecider(attempt, status) })];
  const options = connectionOptions(settings);
  const connection = await Connection.connect({ ...options, connectTimeout: '5s', interceptors }).catch(async (err: unknown) => {
    // gRPC says only that no connection came: a handshake of our own says what TLS found.
    const found = /before the deadline/.test(messageOf(err)) ? await tlsHandshake(settings.address, options.tls) : undefined;
    throw unreachable(settings, found ?? err);
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
 * What both kinds of connection take (this client's, and a worker's native one): the address, TLS
 * with the files ferry.yaml names read now, and the API key. A file that cannot be read is said
 * with its setting and path, before any connection is tried.
 */
export function connectionOptions(settings: TemporalSettings): { address: string; tls?: TLSConfig; apiKey?: string } {
  const { address, tls, apiKey } = settings;
  return { address, ...(tls ? { tls: tlsConfig(tls) } : {}), ...(apiKey ? { apiKey } : {}) };
}

function tlsConfig({ ca, cert, key, serverName }: TemporalTls): TLSConfig {
  const read = (setting: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`temporal.tls.${setting} in ferry.yaml: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return {
    ...(ca ? { serverRootCACertificate: read('ca', ca) } : {}),
    ...(cert && key ? { clientCertPair: { crt: read('cert', cert), key: read('key', key) } } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
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
