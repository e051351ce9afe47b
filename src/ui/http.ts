import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A refusal meant for the person at the page: its status and a message said as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every answer carries: nothing is framed, sniffed, cached or loaded from elsewhere. */
const SAFE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SAFE_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SAFE_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

export function startStream(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, { ...SAFE_HEADERS, ...headers });
}

/**
 * The request body's chunks. Leaving the loop early (a refusal) keeps the request open: a plain
 * `for await` destroys it, and its socket with it, so the refusal never reached the client.
 */
export function bodyChunks(req: IncomingMessage): AsyncIterable<Buffer> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** The request body, refused (413) past `limit` bytes before more is read. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `too large: ${declared} bytes, the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(req)) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `too large: more than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body (small requests: 1 MB at most). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, 1024 * 1024)).toString('utf8');
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string, required = true): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new HttpError(400, `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be a string`);
  return value;
}

/** How long the connection of a request answered before its body was read still takes bytes, before it closes. */
const LINGER_MS = 2_000;

/**
 * A lingering close, as web servers do it: Node closes a `connection: close` socket as soon as the
 * answer is written, and a client still sending a body (an upload refused as too large) then gets a
 * reset, often before it has read the answer (fetch failed: EPIPE, not the 413). Ending our side
 * first, and closing the socket LINGER_MS later, lets the client read the answer.
 */
export function lingerAfterAnswer(socket: Socket | null): void {
  if (socket === null) return;
  socket.destroySoon = function lingering(this: Socket): void {
    this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}
