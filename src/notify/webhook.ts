import { createHmac } from 'node:crypto';
import { SecretMasker } from '../spec/secrets.js';
import { decodeLoosely } from '../spec/percent-decoding.js';
import { isWholeReference } from '../spec/env-references.js';
import { resolveWebhookUrl } from '../spec/webhook-url.js';
import { visibleText } from '../spec/visible-text.js';
import { displayUrl } from './display-url.js';
import { NotifyError } from './notify-error.js';
import { clip } from '../validation/clip.js';

export interface WebhookOptions {
  /** As the pipeline wrote it: `${NAME}` references are resolved from `env` now, and their values masked. */
  url: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** The JSON text to send; the signature covers exactly these bytes. */
  body: string;
  /** Sent as `Ferry-Delivery-Id`, the same in every attempt (src/plan/delivery-id.ts). */
  deliveryId?: string;
  /** HMAC-SHA256 key; when set, `X-Ferry-Signature: sha256=<hex>` is sent. */
  secret?: string;
  /** Per attempt, from the request to the end of the answer. Default 10 s. */
  timeoutMs?: number;
  /** Waits between attempts; one more attempt than delays. Default 0.5 s, 1 s (3 attempts). */
  delaysMs?: readonly number[];
  /** Prefix of error messages: which notification failed (`notify[1]`). */
  label: string;
  mask?: (text: string) => string;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_DELAYS_MS = [500, 1000] as const;

/** The same for every send of one notification: a receiver drops one whose id it has seen. */
export const DELIVERY_ID_HEADER = 'Ferry-Delivery-Id';

type Target = { url: string; authorization?: string };
type Attempt = { ok: true; status: number } | { ok: false; retryable: boolean; reason: string };

/**
 * POSTs the body, retrying a 5xx answer, a network error or a timeout with the given delays; a 4xx
 * (or a redirect) fails at once. Returns the notification's detail, `webhook https://… answered 200`.
 * The error thrown after the last attempt stays retryable, so the engine's retry policy may try the
 * whole notification again later (its intervals are longer than these few seconds).
 */
export async function postWebhook(o: WebhookOptions): Promise<string> {
  const resolved = resolveWebhookUrl(o.url, o.env ?? process.env);
  if ('unset' in resolved)
    throw new NotifyError(`${o.label}: the webhook URL references \${${resolved.unset}}, which is not set in the environment`, { retryable: false });
  const target = splitCredentials(resolved.url);
  // The Basic credentials go out encoded: a receiver that echoes the header must not print them.
  const encoded = target?.authorization?.slice('Basic '.length);
  const whole = isWholeReference(o.url);
  const parts = whole ? quotableParts(resolved.url) : [];
  const mask = webhookMask([...(o.secret ? [o.secret] : []), ...resolved.secrets, ...parts, ...(encoded ? [encoded] : [])], o.mask);
  // a whole-URL reference is shown as written: its path may be the secret
  const shown = whole ? o.url : mask(displayUrl(resolved.url));
  const delays = o.delaysMs ?? DEFAULT_WEBHOOK_DELAYS_MS;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!target) throw new NotifyError(mask(`${o.label}: webhook ${shown} is not a valid URL`), { retryable: false });
  // The pipeline's URL is checked when it is loaded, the value of a whole-URL reference only here:
  // fetch answers a data: URL itself (a delivery to nobody, counted as answered 200).
  const scheme = new URL(target.url).protocol;
  if (scheme !== 'http:' && scheme !== 'https:')
    throw new NotifyError(mask(`${o.label}: webhook ${shown} is not an http(s) URL (its value is a ${visibleText(scheme)} URL)`), { retryable: false });
  for (let attempt = 1; ; attempt++) {
    const result = await postOnce(o, target, mask);
    if (result.ok) return `webhook ${shown} answered ${result.status}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
    const delay = delays[attempt - 1];
    if (!result.retryable || delay === undefined) {
      const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
      throw new NotifyError(mask(`${o.label}: webhook ${shown} failed${tries}: ${result.reason}`), { retryable: result.retryable });
    }
    await sleep(delay);
  }
}

/** `sha256=<hex>` of the exact body bytes, as receivers recompute it. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function postOnce(o: WebhookOptions, target: Target, mask: (text: string) => string): Promise<Attempt> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'ferry', 'X-Ferry-Event': 'job.finished' };
  if (o.deliveryId !== undefined) headers[DELIVERY_ID_HEADER] = o.deliveryId;
  if (o.secret !== undefined) headers['X-Ferry-Signature'] = signature(o.secret, o.body);
  if (target.authorization) headers['Authorization'] = target.authorization;
  try {
    // A redirect is not followed: the signed body would go to a host nobody configured.
    const res = await fetch(target.url, { method: 'POST', headers, body: o.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) {
      // Delivered: the body says nothing more, and waiting for a slow one would count the delivery
      // as failed and send it again.
      await res.body?.cancel().catch(() => undefined);
      return { ok: true, status: res.status };
    }
    // Masked whole before it is flattened and cut to a quote: a secret cut in two would match no more.
    const text = mask(await answerStart(res));
    return answer(res, text, mask);
  } catch (err) {
    return { ok: false, retryable: !isRefusedUrl(err) && tlsFailure(err) === undefined, reason: networkReason(err, timeoutMs) };
  }
}

/**
 * fetch refusing the URL itself, before any network: a port it never connects to (1, 25, 6000 …,
 * the Fetch standard's "bad port" list) or a scheme it does not speak. Another attempt cannot help.
 */
function isRefusedUrl(err: unknown): boolean {
  const message = (err as { cause?: { message?: unknown } } | null)?.cause?.message;
  return message === 'bad port' || message === 'unknown scheme';
}

/** Node's codes of a certificate it does not trust: expired, self-signed, of another host, of an unknown CA… */
const CERT_CODE = /CERT|SELF_SIGNED|^UNABLE_TO_|^INVALID_CA$|^HOSTNAME_MISMATCH$|^PATH_LENGTH_EXCEEDED$|^INVALID_PURPOSE$/;
/** OpenSSL's answer to bytes that are not TLS: the port speaks plain HTTP (or something else). */
const NOT_TLS_CODE = /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)$/;

/**
 * What a failed TLS connection says, or undefined when it is no TLS failure. It fails alike on every
 * attempt until someone changes the receiver or the URL, so it is not tried again; OpenSSL's own
 * message (`802C…:error:0A00010B:SSL routines:…:ssl3_record.c:350:`) is no help to the reader.
 */
function tlsFailure(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  if (CERT_CODE.test(code)) return `the receiver's TLS certificate is refused (${typeof cause?.message === 'string' ? cause.message : code})`;
  if (NOT_TLS_CODE.test(code)) return `the TLS handshake failed (${code}): does the port speak https?`;
  if (code.startsWith('ERR_SSL_')) return `the TLS handshake failed (${code})`;
  return undefined;
}

/** fetch refuses a URL with `user:pass@`; send those as Basic authentication instead. */
function splitCredentials(raw: string): Target | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!url.username && !url.password) return { url: raw };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.href, authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** `text` is the start of the body, masked. What the receiver said is quoted with its control characters escaped: it ends up on a terminal. */
function answer(res: Response, text: string, mask: (text: string) => string): Attempt {
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  const said = visibleText(`answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet(text)}`);
  if (res.status >= 500) return { ok: false, retryable: true, reason: said };
  if (res.status >= 300 && res.status < 400) {
    return {
      ok: false,
      retryable: false,
      reason: `${said} (redirect to ${quoted(mask(res.headers.get('location') ?? '?'))}; webhooks are not redirected, configure the final URL)`,
    };
  }
  return { ok: false, retryable: false, reason: said };
}

/** The most of an answer's body read: its start is all a message quotes (`snippet`). */
export const MAX_ANSWER_BYTES = 4096;

/**
 * The first MAX_ANSWER_BYTES of the answer's body; the rest is not read (the connection is
 * closed), so a receiver streaming without end costs no memory and no more time.
 */
async function answerStart(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

/** The start of the answer's text, which often says what the receiver disliked. */
function snippet(text: string): string {
  const flat = quoted(text);
  return flat ? `: ${flat}` : '';
}

/** A text of the receiver's on one line, at most 200 characters of it (mask it before: a cut secret would not match). */
function quoted(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return visibleText(clip(flat, 200));
}

/** fetch reports `TypeError: fetch failed` with the socket error as its cause; name that instead. */
function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown; errors?: { message?: unknown }[] } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  const cause = e?.cause;
  const tls = tlsFailure(err);
  const detail = tls ?? [cause?.message, cause?.errors?.[0]?.message, cause?.code].find((v): v is string => typeof v === 'string' && v.length > 0);
  const base = typeof e?.message === 'string' ? e.message : String(err);
  return detail ? `${base}: ${detail}` : base;
}

/**
 * The parts of a whole-URL reference's value that a receiver quotes without the rest of it: a web
 * framework's 404 page says `Cannot POST /services/T0…/B0…/x9…`, a redirect's Location repeats the
 * path, a refusal names the token. The value is secret as a whole and chat services carry the token
 * in the path, so its path (with and without the query), and each path segment and query value,
 * are masked too — except the ones that read as plain words (`/services`, `webhooks`), which carry
 * no secret and would mask the message's own words.
 */
function quotableParts(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const parts = [url.pathname + url.search, url.pathname, url.search.slice(1), decodeLoosely(url.username), decodeLoosely(url.password)];
  for (const segment of url.pathname.split('/')) parts.push(segment, decodeLoosely(segment));
  for (const [, v] of url.searchParams) parts.push(v);
  return parts.filter((part) => part.length >= 8 && !/^[a-z/_.-]*$/.test(part));
}

function webhookMask(values: string[], mask: ((text: string) => string) | undefined): (text: string) => string {
  const secrets = new SecretMasker(values);
  return (text) => secrets.mask(mask ? mask(text) : text);
}
