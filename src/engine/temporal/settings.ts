import { durationMs, type JobPlan } from '../../plan/job-plan.js';
import type { Project } from '../../project/load-config.js';

/** Where Ferry's Temporal lives: ferry.yaml `temporal:`, with TEMPORAL_ADDRESS overriding the address. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** `temporal.heartbeat_timeout`, when set. */
  heartbeatTimeoutMs?: number;
  /** How long a follow rides through the server being out of reach before it gives up (results.ts SERVER_OUTAGE_MS when absent). */
  outageMs?: number;
  /** `temporal.tls`, its files absolute; on by default with an API key. */
  tls?: TemporalTls;
  /** `temporal.api_key` (always from the environment, so masked in every message). */
  apiKey?: string;
}

/** TLS to the frontend: the system's CAs (an empty object), or the files ferry.yaml names. */
export interface TemporalTls {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
}

/**
 * Not part of ferry.yaml (its schema is fixed): the environment variable exists so tests and
 * unusual deployments (a server known to take longer to restart) can shorten or lengthen the wait.
 */
export const outageEnv = 'FERRY_TEMPORAL_OUTAGE_MS';

export function temporalSettings(project: Project, env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const { address, namespace, task_queue, heartbeat_timeout, tls, api_key } = project.config.temporal;
  const override = env['TEMPORAL_ADDRESS']?.trim();
  const outage = env[outageEnv]?.trim();
  const secure = tlsOf(tls, api_key);
  if (outage && !/^\d+$/.test(outage)) throw new Error(`${outageEnv} must be a whole number of milliseconds, got ${JSON.stringify(outage)}`);
  return {
    address: override || address,
    namespace,
    taskQueue: task_queue,
    ...(heartbeat_timeout ? { heartbeatTimeoutMs: durationMs(heartbeat_timeout) } : {}),
    ...(outage ? { outageMs: Number(outage) } : {}),
    ...(secure ? { tls: secure } : {}),
    ...(api_key ? { apiKey: api_key } : {}),
  };
}

type TlsSetting = Project['config']['temporal']['tls'];

function tlsOf(tls: TlsSetting, apiKey: string | undefined): TemporalTls | undefined {
  if (tls === false || (tls === undefined && apiKey === undefined)) return undefined;
  if (tls === true || tls === undefined) return {};
  const { ca, cert, key, server_name } = tls;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(server_name ? { serverName: server_name } : {}) };
}

/** The plan as a Temporal job runs it: with ferry.yaml's heartbeat timeout, when set. */
export function withHeartbeatTimeout(plan: JobPlan, settings: Pick<TemporalSettings, 'heartbeatTimeoutMs'>): JobPlan {
  if (settings.heartbeatTimeoutMs === undefined) return plan;
  return { ...plan, retry: { ...plan.retry, heartbeatTimeoutMs: settings.heartbeatTimeoutMs } };
}

/**
 * The plan without the heartbeat timeout its client added: how soon a dead worker is noticed is the
 * deployment's setting, and changes nothing the job reads or writes, so a resume compares plans without it.
 */
export function withoutHeartbeatTimeout(plan: JobPlan): JobPlan {
  if (plan.retry.heartbeatTimeoutMs === undefined) return plan;
  const { heartbeatTimeoutMs: _dropped, ...retry } = plan.retry;
  return { ...plan, retry };
}

/**
 * A connection failure, said plainly, with what to do: by default, for a server never reached
 * (the usual cause is none at the address), or what the failure itself calls for (credentials
 * refused, a certificate not trusted); `next` for one lost on the way.
 */
export function unreachable(settings: TemporalSettings, err: unknown, next?: string): Error {
  const message = messageOf(err);
  const failure = FAILURES.find(({ pattern }) => pattern.test(message));
  // A dump or a gRPC status is replaced by its words, a handshake's reason kept beside them; a
  // message written for people stays.
  const handshake = /^TLS handshake: (.*)$/s.exec(message)?.[1];
  const raw = /tonic::|Status \{|^\d+ [A-Z_]+:|Failed to call/.test(message);
  const said = !failure ? message : handshake ? `${failure.said} (${handshake})` : raw ? failure.said : message;
  const advice = next ?? failure?.next ?? START_ONE;
  return new Error(`cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${said}. ${advice}`);
}

const START_ONE = 'Start one (ferry dev-server, or `temporal server start-dev`), or set TEMPORAL_ADDRESS / temporal.address in ferry.yaml.';

/** The client wraps a failed call ("Failed to get Workflow execution history"): the gRPC error under it says why. */
export function messageOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The worker's native connection fails with a Rust debug dump (`tonic::transport::Error(Transport,
 * ConnectError(… ConnectionRefused …))`), the client's gRPC with `14 UNAVAILABLE: No connection
 * established. Last error: Error: connect ECONNREFUSED …. Resolution note: .`: said in words for
 * the failures a wrong address, a server gone, or TLS and credentials give, each with what to do
 * when that is not starting a server.
 */
const FAILURES: { pattern: RegExp; said: string; next?: string }[] = [
  { pattern: /ConnectionRefused|ECONNREFUSED/, said: 'connection refused (nothing listens at that port)' },
  { pattern: /dns error|failed to lookup address|ENOTFOUND|EAI_AGAIN/, said: 'the host name does not resolve' },
  {
    pattern: /UNAUTHENTICATED|PERMISSION_DENIED|valid authentication credentials|Request unauthorized/,
    said: 'the server refused the credentials',
    next: 'Check the API key (temporal.api_key: its environment variable) or the client certificate (temporal.tls.cert, key) for this namespace.',
  },
  {
    pattern: /UnknownIssuer|unable to verify|self[- ]signed|UNABLE_TO_GET_ISSUER|SELF_SIGNED|CERT_UNTRUSTED/i,
    said: "the server's TLS certificate is not trusted",
    next: 'Set temporal.tls.ca in ferry.yaml to the CA certificate that signed it.',
  },
  {
    pattern: /NotValidForName|ALTNAME|does not match certificate|altnames/i,
    said: "the server's TLS certificate does not hold this host name",
    next: 'Connect by a name the certificate holds, or set temporal.tls.server_name to it.',
  },
  {
    pattern: /UnsupportedCertVersion/,
    said: 'a certificate is X.509 version 1, which the worker refuses',
    next: 'Issue the client certificate (temporal.tls.cert) as version 3 (any extension makes one: extendedKeyUsage = clientAuth).',
  },
  { pattern: /CERT_HAS_EXPIRED|certificate has expired|InvalidCertificate\(Expired/, said: "the server's TLS certificate has expired" },
  {
    pattern: /WRONG_VERSION_NUMBER|wrong version number|InvalidContentType|CorruptMessage/i,
    said: 'the server there does not speak TLS',
    next: 'Remove temporal.tls and temporal.api_key from ferry.yaml, or use the address of its TLS endpoint.',
  },
  {
    pattern: /the server there speaks TLS/,
    said: 'the server there speaks TLS',
    next: 'Set temporal.tls in ferry.yaml (true, or tls: { ca: <its CA file> }).',
  },
  {
    pattern: /TimeoutExpired|Timeout expired/,
    said: 'no answer before the timeout (something there accepts connections but does not answer as a Temporal server)',
  },
  {
    pattern: /h2 protocol error|http2 error/,
    said: 'what answers there does not speak gRPC (an HTTP/2 protocol error: a web server, or a Temporal server’s web UI port)',
  },
  { pattern: /ConnectionReset|BrokenPipe|connection closed|ECONNRESET/, said: 'the connection was closed by the other side' },
];
