import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * Real servers on 127.0.0.1 for the notification tests (DESIGN.md "Real components in tests"):
 * an SMTP server that keeps every message it accepts, an HTTP server that keeps every request
 * and answers as the test says, and a raw MIME reader (mailparser is not a dependency).
 */

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user that logged in, if any. */
  user: string | undefined;
  /** Whether the session was encrypted (implicit TLS or STARTTLS). */
  secure: boolean;
  raw: string;
}

export interface LoopbackSmtp {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** Plain SMTP without STARTTLS or AUTH unless `options` say otherwise; on 127.0.0.1 unless `host` is another address of this machine. */
export async function startSmtp(options: SMTPServerOptions = {}, host = '127.0.0.1'): Promise<LoopbackSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    ...options,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const user = typeof session.user === 'string' ? session.user : undefined;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), user, secure: session.secure, raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received: signatures are checked against these. */
  body: Buffer;
}

export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface LoopbackHttp {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `reply` gets the request's number (1-based) and the request. */
export async function startHttp(reply: (n: number, req: ReceivedRequest) => Reply): Promise<LoopbackHttp> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(received);
      const answer = reply(requests.length, received);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ParsedMail {
  /** Top-level headers, names lower-case, folded lines joined. */
  headers: Record<string, string>;
  text: string | undefined;
  html: string | undefined;
}

/** Reads a single-level multipart/alternative message as nodemailer writes it; bodies decoded, LF line ends. */
export function parseMail(raw: string): ParsedMail {
  const top = splitHeaders(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(top.headers['content-type'] ?? '')?.[1];
  const sections = boundary
    ? top.body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((s) => splitHeaders(s.replace(/^\r\n/, '')))
    : [top];
  const find = (type: string): string | undefined => {
    const part = sections.find((s) => (s.headers['content-type'] ?? 'text/plain').startsWith(type));
    return part && decode(part.body.replace(/\r\n$/, ''), part.headers['content-transfer-encoding'] ?? '7bit').replace(/\r\n/g, '\n');
  };
  return { headers: top.headers, text: find('text/plain'), html: find('text/html') };
}

function splitHeaders(text: string): { headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end === -1 ? '' : text.slice(end + 4) };
}

function decode(body: string, encoding: string): string {
  if (/^base64$/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (!/^quoted-printable$/i.test(encoding)) return body;
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** An IPv4 address of this machine that is not loopback (a server there is reached as any remote host's would be), if it has one. */
export function outwardAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}
