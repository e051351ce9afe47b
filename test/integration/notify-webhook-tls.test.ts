import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import getTLSOptions from 'smtp-server/lib/tls-options.js';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/notify-error.js';
import { postWebhook, type WebhookOptions } from '../../src/notify/webhook.js';
import { startHttp, type LoopbackHttp } from '../unit/notify/loopback.js';

/**
 * A webhook whose TLS fails the same way every time — a certificate nobody trusts (smtp-server's
 * own self-signed one here), or https:// to a port that speaks plain HTTP — is said as such and
 * not tried again: three attempts, then the engine's retry of the whole notification, each
 * failing alike, only held the finished job.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const sleeps: number[] = [];
const hook = (url: string): WebhookOptions => ({ url, body: '{}', label: 'notify[1]', delaysMs: [5, 10], sleep: async (ms) => void sleeps.push(ms) });

async function failure(options: WebhookOptions): Promise<NotifyError> {
  const err = await postWebhook(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}

describe('webhook TLS failures', () => {
  afterEach(() => void sleeps.splice(0));

  it('does not retry a certificate the receiver cannot be trusted with, and says why', async () => {
    let requests = 0;
    const server = createHttpsServer(getTLSOptions(), (_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const err = await failure(hook(url));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(new RegExp(`^notify\\[1\\]: webhook ${url} failed: fetch failed: the receiver's TLS certificate is refused \\([^)]+\\)`));
    expect(sleeps).toEqual([]);
    expect(requests).toBe(0);
  });

  it('does not retry https:// to a port that speaks plain HTTP, and says so without OpenSSL internals', async () => {
    const server: LoopbackHttp = await startHttp(() => ({ status: 200 }));
    cleanups.push(() => server.close());
    const url = server.url.replace('http://', 'https://') + '/hook';
    const err = await failure(hook(url));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      `notify[1]: webhook ${url} failed: fetch failed: the TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER): does the port speak https?`,
    );
    expect(sleeps).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});
