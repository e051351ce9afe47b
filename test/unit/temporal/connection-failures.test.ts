import { describe, expect, it } from 'vitest';
import { unreachable } from '../../../src/engine/temporal/settings.js';

const settings = { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'ferry' };
const said = (message: string): string => unreachable(settings, new Error(message), 'Next.').message;

/** Connection failures as the native worker and the gRPC client word them, said in words (as each came, verbatim). */
describe('Temporal connection failures', () => {
  it.each([
    [
      'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:17000, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
      'connection refused (nothing listens at that port)',
    ],
    [
      'tonic::transport::Error(Transport, ConnectError(ConnectError("dns error", Custom { kind: Uncategorized, error: "failed to lookup address information: Name or service not known" })))',
      'the host name does not resolve',
    ],
    [
      `Failed to call GetSystemInfo: code: 'The operation was cancelled', message: "Timeout expired", source: tonic::transport::Error(Transport, TimeoutExpired(()))`,
      'no answer before the timeout (something there accepts connections but does not answer as a Temporal server)',
    ],
    [
      `Failed to call GetSystemInfo: code: 'Unknown error', message: "h2 protocol error: http2 error", source: tonic::transport::Error(Transport, hyper::Error(Http2, Error { kind: GoAway(b"", FRAME_SIZE_ERROR, Library) }))`,
      'what answers there does not speak gRPC (an HTTP/2 protocol error: a web server, or a Temporal server’s web UI port)',
    ],
    [
      '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:17233. Resolution note: ',
      'connection refused (nothing listens at that port)',
    ],
  ])('%s', (message, words) => {
    expect(said(message)).toBe(`cannot reach Temporal at 127.0.0.1:7233 (namespace default): ${words}. Next.`);
  });

  it('leaves a message it does not know as it is', () => {
    expect(said('Failed to connect before the deadline')).toBe(
      'cannot reach Temporal at 127.0.0.1:7233 (namespace default): Failed to connect before the deadline. Next.',
    );
  });

  // TLS and credentials, as a worker's native connection, the client, and Ferry's own handshake (tls-handshake.ts) word them: each with what to do.
  it.each([
    [
      `Failed to call GetSystemInfo: code: 'The request does not have valid authentication credentials', message: "Request unauthorized."`,
      'the server refused the credentials. Check the API key (temporal.api_key: its environment variable) or the client certificate (temporal.tls.cert, key) for this namespace.',
    ],
    ['16 UNAUTHENTICATED: Request unauthorized.', 'the server refused the credentials. Check the API key'],
    [
      'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))',
      "the server's TLS certificate is not trusted. Set temporal.tls.ca in ferry.yaml to the CA certificate that signed it.",
    ],
    [
      'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(NotValidForNameContext { expected: DnsName("other.example"), presented: ["DnsName(\\"localhost\\")"] }) }))',
      "the server's TLS certificate does not hold this host name. Connect by a name the certificate holds, or set temporal.tls.server_name to it.",
    ],
    [
      'TLS handshake: self-signed certificate in certificate chain',
      "the server's TLS certificate is not trusted (self-signed certificate in certificate chain). Set temporal.tls.ca",
    ],
    [
      'TLS handshake: 40F8E1B5:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      'the server there does not speak TLS (40F8E1B5:error:0A00010B:SSL routines:ssl3_get_record:wrong version number). Remove temporal.tls',
    ],
    ['the server there speaks TLS', 'the server there speaks TLS. Set temporal.tls in ferry.yaml'],
    [
      'tonic::transport::Error(Transport, InvalidCertificate(Other(OtherError(UnsupportedCertVersion))))',
      'a certificate is X.509 version 1, which the worker refuses. Issue the client certificate (temporal.tls.cert) as version 3',
    ],
  ])('%s', (message, words) => {
    expect(unreachable(settings, new Error(message)).message).toContain(`cannot reach Temporal at 127.0.0.1:7233 (namespace default): ${words}`);
  });
});
