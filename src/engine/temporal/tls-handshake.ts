import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

const HANDSHAKE_MS = 3000;

/**
 * Why a TLS connection to `address` fails ("TLS handshake: <Node's reason>"), as an Error to explain a gRPC connection that never came
 * (gRPC keeps the reason to itself): the certificate not trusted or not for this name, or no TLS
 * there at all. Without `tls`, an Error when the server there does speak TLS (ferry.yaml needs
 * `temporal.tls`). Undefined when the handshake says nothing more (it succeeds, or times out).
 */
export async function tlsHandshake(address: string, tls: TLSConfig | undefined): Promise<Error | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return undefined;
  const options: ConnectionOptions = {
    host,
    port,
    ALPNProtocols: ['h2'],
    servername: tls?.serverNameOverride ?? (/^[\d.:]+$/.test(host) ? undefined : host),
    rejectUnauthorized: tls !== undefined,
    ...(tls?.serverRootCACertificate ? { ca: Buffer.from(tls.serverRootCACertificate) } : {}),
    ...(tls?.clientCertPair ? { cert: Buffer.from(tls.clientCertPair.crt), key: Buffer.from(tls.clientCertPair.key) } : {}),
  };
  const outcome = await new Promise<Error | 'secure' | undefined>((resolve) => {
    const socket = tlsConnect(options);
    const done = (result: Error | 'secure' | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(HANDSHAKE_MS, () => done(undefined));
    socket.once('secureConnect', () => done('secure'));
    socket.once('error', (err) => done(err));
  });
  if (tls === undefined) return outcome === 'secure' ? new Error('the server there speaks TLS') : undefined;
  return outcome instanceof Error ? new Error(`TLS handshake: ${outcome.message}`) : undefined;
}
