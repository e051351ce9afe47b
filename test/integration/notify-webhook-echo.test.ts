import { afterEach, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/notify-error.js';
import { postWebhook, type WebhookOptions } from '../../src/notify/webhook.js';
import { startHttp, type LoopbackHttp, type Reply } from '../unit/notify/loopback.js';

/**
 * `webhook: ${CHAT_HOOK_URL}`: the URL is the secret, its path above all (chat services put the
 * token there). A receiver quotes the path alone, without scheme and host — a web framework's
 * 404 page says `Cannot POST /hooks/…`, a redirect's Location repeats it — and that quote goes
 * into the job's record, `ferry jobs show` and the serve log.
 */
const servers: LoopbackHttp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function http(reply: (n: number, req: { path: string }) => Reply): Promise<LoopbackHttp> {
  const server = await startHttp(reply);
  servers.push(server);
  return server;
}

const hook = (env: Record<string, string>): WebhookOptions => ({
  url: '${CHAT_HOOK_URL}',
  env,
  body: '{}',
  label: 'notify[1]',
  delaysMs: [],
});

async function failure(options: WebhookOptions): Promise<string> {
  const err = await postWebhook(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return (err as NotifyError).message;
}

describe('a whole-URL webhook reference quoted in part by its receiver', () => {
  const token = 'T0ABCDEF/B0GHIJKL/x9Yz8WvU7tS6rQ5p';

  it("masks the URL's path and its segments in the quote of a 404 page", async () => {
    const server = await http((_n, req) => ({ status: 404, body: `<pre>Cannot POST ${req.path}</pre>` }));
    const message = await failure(hook({ CHAT_HOOK_URL: `${server.url}/services/${token}` }));
    expect(message).toBe('notify[1]: webhook ${CHAT_HOOK_URL} failed: answered 404 Not Found: <pre>Cannot POST ***</pre>');
    for (const part of token.split('/')) expect(message).not.toContain(part);
  });

  it('masks a segment quoted alone, a query value, and the path as a redirect repeats it', async () => {
    const server = await http((n, req) =>
      n === 1
        ? { status: 403, body: `invalid token x9Yz8WvU7tS6rQ5p for channel; key=${new URL(req.path, 'http://h').searchParams.get('key')}` }
        : { status: 308, headers: { Location: `https://elsewhere.example${req.path}` } },
    );
    const env = { CHAT_HOOK_URL: `${server.url}/services/${token}?key=k3y-v4lue-123` };
    const forbidden = await failure(hook(env));
    expect(forbidden).toBe('notify[1]: webhook ${CHAT_HOOK_URL} failed: answered 403 Forbidden: invalid token *** for channel; ***');
    const redirected = await failure(hook(env));
    expect(redirected).toContain('(redirect to https://elsewhere.example***; webhooks are not redirected');
    expect(redirected).not.toMatch(/x9Yz8|k3y-v4lue|T0ABCDEF/);
  });
});
