import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A TLS front for a plain-gRPC Temporal dev server, as a deployment puts one (Temporal Cloud, an
 * ingress): it terminates TLS with a certificate of its own CA (made with the `openssl` CLI), and
 * with `apiKey` refuses every call whose `authorization` is not `Bearer <apiKey>` with gRPC's
 * UNAUTHENTICATED, as Temporal Cloud does; with `clientCertificate`, it takes only clients holding a
 * certificate its CA signed (mutual TLS). Calls are passed on stream by stream, trailers included.
 */
export interface TlsGrpcProxy {
  readonly address: string;
  /** The CA certificate's file (PEM), which a client trusts the front by. */
  readonly caFile: string;
  /** A client certificate and its key (PEM files) the CA signed, for mutual TLS. */
  readonly client: { cert: string; key: string };
  /** The `authorization` header of every call that reached the front. */
  readonly authorizations: (string | undefined)[];
  stop(): Promise<void>;
}

export async function startTlsGrpcProxy(upstream: string, options: { apiKey?: string; clientCertificate?: boolean } = {}): Promise<TlsGrpcProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ferry test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  // A key and a certificate the CA signs, with one extension at least: X.509 v3, as the worker's
  // TLS (rustls) requires of every certificate it reads.
  const issue = (name: string, subject: string, extension: string): void => {
    writeFileSync(file(`${name}.cnf`), `${extension}\n`);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    const ca = ['-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial'];
    openssl('x509', '-req', '-in', file(`${name}.csr`), ...ca, '-days', '2', '-extfile', file(`${name}.cnf`), '-out', file(`${name}.pem`));
  };
  issue('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  issue('client', '/CN=ferry worker', 'extendedKeyUsage=clientAuth');
  // One session to the server, opened again once it has closed (a GOAWAY, the server restarted).
  let backend: http2.ClientHttp2Session | undefined;
  const upstreamSession = (): http2.ClientHttp2Session => {
    if (backend && !backend.closed && !backend.destroyed) return backend;
    backend = http2.connect(`http://${upstream}`);
    backend.on('error', () => undefined);
    return backend;
  };
  const authorizations: (string | undefined)[] = [];
  const server = http2.createSecureServer({
    key: readFileSync(file('server.key')),
    cert: readFileSync(file('server.pem')),
    ALPNProtocols: ['h2'],
    // Mutual TLS: a client without a certificate of this CA never gets past the handshake.
    ...(options.clientCertificate ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(file('ca.pem')) } : {}),
  });
  server.on('stream', (stream, headers) => {
    const authorization = headers['authorization'] as string | undefined;
    authorizations.push(authorization);
    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'Request unauthorized.' }, { endStream: true });
      return;
    }
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') || name === ':path' || name === ':method') forwarded[name] = value;
    let call: http2.ClientHttp2Stream;
    try {
      call = upstreamSession().request(forwarded);
    } catch {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'upstream unavailable' }, { endStream: true });
      return;
    }
    stream.pipe(call);
    // A client that gave up (a worker stopped mid long-poll) leaves its stream destroyed: nothing to answer.
    const gone = (): boolean => stream.destroyed || stream.closed;
    call.on('response', (answer) => {
      if (gone()) return void call.close(http2.constants.NGHTTP2_CANCEL);
      const { [':status']: status, ...rest } = answer;
      stream.respond({ ':status': status ?? 200, ...rest }, { waitForTrailers: true });
      call.pipe(stream);
    });
    let trailers: http2.OutgoingHttpHeaders = {};
    call.on('trailers', (t) => (trailers = t));
    stream.on('wantTrailers', () => {
      if (!gone()) stream.sendTrailers(trailers);
    });
    const close = (): void => {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
    };
    call.on('error', close);
    stream.on('error', close);
    stream.on('close', () => {
      if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
    });
  });
  server.on('sessionError', () => undefined);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `localhost:${port}`,
    caFile: file('ca.pem'),
    client: { cert: file('client.pem'), key: file('client.key') },
    authorizations,
    async stop() {
      backend?.destroy();
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
