import { connect, isIPv4, type Socket } from 'node:net';
import { visibleText } from '../spec/visible-text.js';
import { SecretMasker } from '../spec/secrets.js';
import { displayServer } from './display-url.js';
import type { EmailMessage } from './message.js';
import { NotifyError } from './notify-error.js';
import type { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';

export interface SendEmailOptions {
  /**
   * `notify.smtp.url` of ferry.yaml, given to nodemailer: `smtp://` upgrades with STARTTLS when the
   * server offers it, `smtps://` is TLS from the first byte; `?tls.rejectUnauthorized=false` and
   * other query options are parsed by nodemailer (lib/shared `parseConnectionUrl`). A URL with a
   * login, or of a host that is not this machine, requires STARTTLS unless it says
   * `?requireTLS=false` (see `requireStarttls`).
   */
  url: string;
  from: string;
  to: string[];
  message: EmailMessage;
  /**
   * The notification's delivery id (src/plan/delivery-id.ts), sent as Message-ID `<id@ferry>`: the
   * same for a resent email, which mail clients and archives then keep once.
   */
  deliveryId?: string;
  /** Prefix of error messages: which notification failed (`notify[0]`). */
  label: string;
  /** Removes the project's secrets from a text (the SMTP password is masked in any case). */
  mask?: (text: string) => string;
  /** The whole exchange, connection to last reply. Default DEFAULT_EMAIL_DEADLINE_MS. */
  deadlineMs?: number;
}

/**
 * Timeouts shorter than nodemailer's (2 min to connect, 10 min idle): a notification must not hold a
 * finished job for long. Query options in the URL still win (merged after these).
 */
const timeouts = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 };

/**
 * The whole exchange: nodemailer's timeouts are each reset by any byte, so a server that trickles
 * a reply line (`250-…`) every few seconds would hold the job, and the process, forever.
 */
export const DEFAULT_EMAIL_DEADLINE_MS = 120_000;

/** Sends one email over SMTP; returns the notification's detail, `email to a@x, b@y`. */
export async function sendEmail(o: SendEmailOptions): Promise<string> {
  const mask = smtpMask(o.url, o.mask);
  const deadlineMs = o.deadlineMs ?? DEFAULT_EMAIL_DEADLINE_MS;
  // nodemailer loads with the first email: most processes never send one.
  const [{ default: nodemailer }, { parseConnectionUrl }] = await Promise.all([import('nodemailer'), import('nodemailer/lib/shared/index.js')]);
  const sockets: Socket[] = [];
  // The URL parsed here, not given as `url`: createTransport then drops every other option (the timeouts, getSocket).
  const refusal = (why: string): NotifyError => new NotifyError(`${o.label}: notify.smtp.url ${why}`, { retryable: false });
  const options = connectionOptions(o.url, parseConnectionUrl);
  if (typeof options === 'string') throw refusal(options);
  const refused = notSmtp(o.url, options) ?? requireStarttls(options);
  if (refused) throw refusal(refused);
  const transport = nodemailer.createTransport({ ...timeouts, ...options, getSocket: ownSocket(sockets) });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no end to the exchange within ${deadlineMs / 1000}s`), { code: 'ETIMEDOUT' })), deadlineMs);
  });
  try {
    const { subject, text, html } = o.message;
    const messageId = o.deliveryId === undefined ? {} : { messageId: emailMessageId(o.deliveryId) };
    const sending = transport.sendMail({ from: o.from, to: o.to, subject, text, html, ...messageId });
    // Past the deadline its failure (the socket closed under it) is nobody's: not an unhandled rejection.
    sending.catch(() => undefined);
    const info = await Promise.race([sending, deadline]);
    const refused = info.rejected.map(address);
    return mask(`email to ${info.accepted.map(address).join(', ')}${refused.length > 0 ? ` (refused: ${refused.join(', ')})` : ''}`);
  } catch (err) {
    const reason = starttlsRefused(err, options.auth !== undefined) ?? (err instanceof Error ? err.message : String(err));
    // The server's reply is quoted with its control characters escaped: it ends up on a terminal.
    const message = visibleText(mask(`${o.label}: email to ${o.to.join(', ')} via ${displayServer(o.url)} failed: ${reason}`));
    throw new NotifyError(message, { retryable: isTransient(err) });
  } finally {
    clearTimeout(timer);
    transport.close();
    // The server may still be talking: its socket would keep the process alive.
    for (const socket of sockets) socket.destroy();
  }
}

/** RFC 5322 `<id-left@id-right>`: a delivery id is a dot-atom already (letters, digits, `.`, `-`, `_`). */
export function emailMessageId(deliveryId: string): string {
  return `<${deliveryId}@ferry>`;
}

/**
 * Query options nodemailer reads that make it something else than an SMTP client: another
 * transport (`sendmail=true&path=…` runs that program), or its own logging of the whole exchange,
 * login included, unmasked.
 */
const NOT_SMTP_OPTIONS = ['sendmail', 'streamTransport', 'jsonTransport', 'SES', 'direct', 'logger', 'debug'];

const NOT_A_URL =
  'is not a URL (expected smtp://host:port or smtps://host:port; a user or password holding @ : / ? # % \\ or a space must be percent-encoded, e.g. p%2Fss for p/ss)';

type ConnectionOptions = ReturnType<typeof parseConnectionUrl>;

/**
 * nodemailer's options of the URL, its login as the WHATWG parser reads it — the parser whose host
 * the messages name (displayServer) and whose login the masks know. nodemailer's own (Node's legacy
 * url.parse) read a login otherwise: a `\\` in the password ended the host there, so the email went
 * to a host named as the user while the message named the configured one, and a malformed
 * %-escape threw a bare "URI malformed". So nodemailer parses the URL with its login cut out, and
 * the login is set decoded. Returns why the URL is refused instead, if it is.
 */
function connectionOptions(url: string, parse: (url: string) => ConnectionOptions): ConnectionOptions | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return NOT_A_URL;
  }
  if (!parsed.username && !parsed.password) return parse(url);
  const decode = (part: string): string | undefined => {
    try {
      return decodeURIComponent(part);
    } catch {
      return undefined;
    }
  };
  const [user, pass] = [decode(parsed.username), decode(parsed.password)];
  if (user === undefined || pass === undefined)
    return 'has a user or password that is not percent-encoded: a % in them must be written %25 (encodeURIComponent), e.g. p%25ss for p%ss';
  // The login ends at the authority's last @, as WHATWG reads it; the authority at the first / ? or #
  // (a `\\` ends nothing in an smtp: URL). The host stays as written: IDN names keep working.
  const start = url.indexOf('//') + 2;
  const end = url.slice(start).search(/[/?#]/);
  const authority = end < 0 ? url.slice(start) : url.slice(start, start + end);
  const options = parse(url.slice(0, start) + url.slice(start + authority.lastIndexOf('@') + 1));
  options.auth = { user, pass };
  return options;
}

/** Why the URL is not one of an SMTP server, or undefined. */
function notSmtp(url: string, options: object): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return NOT_A_URL;
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') return `must be smtp:// or smtps://, not ${protocol}//`;
  const option = NOT_SMTP_OPTIONS.find((name) => Object.hasOwn(options, name));
  return option ? `may not set ${option} (an SMTP server is sent to, nothing else)` : undefined;
}

type TlsOptions = { host?: unknown; secure?: unknown; auth?: unknown; requireTLS?: unknown; ignoreTLS?: unknown; opportunisticTLS?: unknown };

/**
 * What goes to the server goes over TLS only: nodemailer's default for `smtp://` is to send in clear
 * when the server's EHLO does not offer STARTTLS — which is what a man in the middle who strips
 * STARTTLS from the reply gets: the login, and the job's summary (its rejects quote source data)
 * to any host on the way. So STARTTLS is required (mutated here) for a URL with a login or of a host
 * that is not this machine (a relay on localhost is reached without a network to listen on), unless
 * it says `requireTLS=false`, the one way to accept sending in clear; `ignoreTLS` and
 * `opportunisticTLS` (both send in clear) are refused there without it. Returns why the URL is refused.
 */
function requireStarttls(options: TlsOptions): string | undefined {
  if (options.secure === true || options.requireTLS === false) return undefined;
  const login = options.auth !== undefined;
  if (!login && isLoopback(options.host)) return undefined;
  // Truthy as nodemailer reads them: `ignoreTLS=1` is a number, and still skips STARTTLS.
  const inClear = (['ignoreTLS', 'opportunisticTLS'] as const).find((name) => Boolean(options[name]));
  const what = login ? 'with a login, which would send the password unencrypted' : `for ${String(options.host)}, which would send the email unencrypted`;
  if (inClear) return `sets ${inClear} ${what}: add requireTLS=false to accept that, or use smtps://`;
  options.requireTLS = true;
  return undefined;
}

/** This machine, as a URL names it: nodemailer's default host (none), localhost, 127.0.0.0/8, ::1. */
function isLoopback(host: unknown): boolean {
  if (host === undefined) return true;
  if (typeof host !== 'string') return false;
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name === '::1' || (isIPv4(name) && name.startsWith('127.'));
}

/**
 * nodemailer's error when the server answered STARTTLS with a refusal (it does not offer it, or a
 * man in the middle stripped it): said as what it means. A failed TLS handshake has no `response`.
 */
function starttlsRefused(err: unknown, login: boolean): string | undefined {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; command?: unknown; response?: unknown };
  if (fields.code !== 'ETLS' || fields.command !== 'STARTTLS' || typeof fields.response !== 'string') return undefined;
  const notSent = login ? 'the login was not sent' : 'the email was not sent';
  return `the server did not take STARTTLS (${fields.response}), so ${notSent}: it goes unencrypted only if notify.smtp.url says requireTLS=false (or use smtps://)`;
}

/**
 * nodemailer's `getSocket`: the TCP connection opened here, so the deadline can close it. nodemailer
 * then speaks over it as over its own (TLS from the first byte for smtps://, STARTTLS otherwise);
 * an error connecting reaches it as a socket error (`ESOCKET`, transient).
 */
function ownSocket(sockets: Socket[]) {
  type Options = { host?: string; port?: number | string; secure?: boolean; localAddress?: string };
  return (options: Options, callback: (err: Error | null, socket: { connection: Socket }) => void) => {
    const port = Number(options.port) || (options.secure ? 465 : 587);
    const socket = connect({ host: options.host || 'localhost', port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    sockets.push(socket);
    callback(null, { connection: socket });
  };
}

/**
 * Worth another attempt: the server could not be reached or dropped the connection, or answered
 * with a 4xx reply (greylisting, mailbox busy, try again later). A 5xx reply, a failed login or a
 * TLS failure will fail the same way next time.
 */
export function isTransient(err: unknown): boolean {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; responseCode?: unknown };
  if (typeof fields.responseCode === 'number') return fields.responseCode >= 400 && fields.responseCode < 500;
  return typeof fields.code === 'string' && ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS'].includes(fields.code);
}

/**
 * The caller's mask plus the SMTP password: as written in the URL, decoded, and base64-encoded as
 * AUTH LOGIN and AUTH PLAIN (`\0user\0password`) send it, which a server may quote in its refusal.
 */
function smtpMask(url: string, mask: ((text: string) => string) | undefined): (text: string) => string {
  const secrets = new SecretMasker();
  try {
    const parsed = new URL(url);
    const [user, password] = [parsed.username, parsed.password].map((part) => decodeURIComponent(part));
    const base64 = (text: string): string => Buffer.from(text).toString('base64');
    for (const spelling of [parsed.password, password!, base64(password!), base64(`\0${user!}\0${password!}`)]) secrets.add(spelling);
  } catch {
    // Not a URL the WHATWG parser takes: maskUrl (inside SecretMasker.mask) still masks by shape.
  }
  return (text) => secrets.mask(mask ? mask(text) : text);
}

function address(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}
