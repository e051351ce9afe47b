import { createHmac } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionPool, type ActivityDeps } from '../../activities/deps.js';
import { rejectsPath } from '../../activities/job-files.js';
import { notify } from '../../activities/notify.js';
import { sendEmail, type SendEmailOptions } from '../../src/notify/email.js';
import { emailMessage, webhookBody } from '../../src/notify/message.js';
import { NotifyError } from '../../src/notify/notify-error.js';
import { notifyReport } from '../../src/notify/report.js';
import { postWebhook, type WebhookOptions } from '../../src/notify/webhook.js';
import { SecretMasker } from '../../src/spec/secrets.js';
import { tempDir } from '../helpers/cli.js';
import { sampleInput, samplePlan, sampleRejects } from '../unit/notify/fixtures.js';
import { closedPort, outwardAddress, parseMail, startHttp, startSmtp, type Reply } from '../unit/notify/loopback.js';

const report = notifyReport(sampleInput(), samplePlan(), {
  endedAt: '2025-01-02T03:05:17.500Z',
  rejectsFile: '/jobs/x/rejects.ndjson',
  rejects: sampleRejects,
});
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function smtp(options: Parameters<typeof startSmtp>[0] = {}, host?: string) {
  const server = await startSmtp(options, host);
  cleanups.push(() => server.close());
  return server;
}

/** A raw HTTP server on 127.0.0.1, for answers `startHttp` cannot give (echoes, endless bodies). */
async function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)).then(() => undefined));
  cleanups.push(() => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A raw TCP server on 127.0.0.1 that speaks as `onConnection` says: bytes no protocol library would send. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createNetServer((socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

async function http(reply: (n: number) => Reply) {
  const server = await startHttp(reply);
  cleanups.push(() => server.close());
  return server;
}

const mail = (url: string, extra: Partial<SendEmailOptions> = {}): SendEmailOptions => ({
  url,
  from: 'ferry@example.com',
  to: ['ops@example.com', 'dev@example.com'],
  message: emailMessage(report),
  label: 'notify[0]',
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<NotifyError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}

describe('email over a real SMTP server', () => {
  it('delivers the subject, both bodies and the recipients', async () => {
    const server = await smtp();
    const detail = await sendEmail(mail(`smtp://127.0.0.1:${server.port}`));
    expect(detail).toBe('email to ops@example.com, dev@example.com');
    const [received] = server.mails;
    expect(received?.from).toBe('ferry@example.com');
    expect(received?.to).toEqual(['ops@example.com', 'dev@example.com']);
    const parsed = parseMail(received!.raw);
    expect(parsed.headers['to']).toBe('ops@example.com, dev@example.com');
    expect(parsed.headers['subject']).toBe('[ferry] import-users succeeded: 90 inserted, 10 rejected');
    expect(parsed.text).toContain('Records   total 100 · inserted 90 · updated 0 · unchanged 0 · rejected 10');
    expect(parsed.text).toContain('  row 7  RULE  -  <script>alert("x")</script> & \'q\'');
    expect(parsed.text).toContain('Full reject report: /jobs/x/rejects.ndjson');
    expect(parsed.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.html).toContain('>FORMAT</td>');
  });

  it('sends the delivery id as the Message-ID, so a resent email is kept once', async () => {
    const server = await smtp();
    await sendEmail(mail(`smtp://127.0.0.1:${server.port}`, { deliveryId: 'import-users-20250102T030405-ab12.2.0.failed' }));
    await sendEmail(mail(`smtp://127.0.0.1:${server.port}`, { deliveryId: 'import-users-20250102T030405-ab12.2.0.failed' }));
    const ids = server.mails.map((m) => parseMail(m.raw).headers['message-id']);
    expect(ids).toEqual(['<import-users-20250102T030405-ab12.2.0.failed@ferry>', '<import-users-20250102T030405-ab12.2.0.failed@ferry>']);
  });

  it('upgrades with STARTTLS and logs in with the URL credentials', async () => {
    const server = await smtp({
      disabledCommands: [],
      authOptional: false,
      onAuth: (auth, _session, callback) =>
        auth.username === 'ferry' && auth.password === 'p@ss word' ? callback(null, { user: 'ferry' }) : callback(new Error('Invalid username or password')),
    });
    await sendEmail(mail(`smtp://ferry:p%40ss%20word@127.0.0.1:${server.port}?tls.rejectUnauthorized=false`, { to: ['ops@example.com'] }));
    expect(server.mails[0]).toMatchObject({ user: 'ferry', secure: true, to: ['ops@example.com'] });
  });

  it('speaks implicit TLS with smtps://', async () => {
    const server = await smtp({ secure: true, disabledCommands: [] });
    await sendEmail(mail(`smtps://127.0.0.1:${server.port}?tls.rejectUnauthorized=false`));
    expect(server.mails[0]?.secure).toBe(true);
  });

  it('does not log in when the server offers no STARTTLS (stripped by a man in the middle): the password never leaves in clear', async () => {
    const logins: string[] = [];
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      onAuth: (auth, _session, callback) => {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        callback(null, { user: auth.username });
      },
    });
    const err = await rejection(sendEmail(mail(`smtp://ferry:s3cret-pw@127.0.0.1:${server.port}`)));
    expect(err.message).toMatch(
      new RegExp(
        `^notify\\[0\\]: email to ops@example.com, dev@example.com via smtp://127.0.0.1:${server.port} failed: the server did not take STARTTLS \\(5\\d\\d [^)]*\\), so the login was not sent: it goes unencrypted only if notify.smtp.url says requireTLS=false \\(or use smtps://\\)$`,
      ),
    );
    expect(err.message).not.toContain('s3cret-pw');
    expect(err.retryable).toBe(false);
    expect(logins).toEqual([]);
    expect(server.mails).toEqual([]);
  });

  it('logs in in clear only when the URL says requireTLS=false, and refuses ignoreTLS/opportunisticTLS with a login without it', async () => {
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      onAuth: (a, _s, cb) => cb(null, { user: a.username }),
    });
    await sendEmail(mail(`smtp://ferry:pw@127.0.0.1:${server.port}?requireTLS=false`));
    expect(server.mails[0]).toMatchObject({ user: 'ferry', secure: false });
    for (const [option, value] of [
      ['ignoreTLS', 'true'],
      ['ignoreTLS', '1'],
      ['opportunisticTLS', 'true'],
    ]) {
      const refusal = await rejection(sendEmail(mail(`smtp://ferry:pw@127.0.0.1:${server.port}?${option}=${value}`)));
      expect(refusal.message).toBe(
        `notify[0]: notify.smtp.url sets ${option} with a login, which would send the password unencrypted: add requireTLS=false to accept that, or use smtps://`,
      );
      expect(refusal.retryable).toBe(false);
    }
    expect(server.mails).toHaveLength(1);
    // Without a login there is no password to protect: a server without STARTTLS still gets the mail.
    const open = await smtp();
    await sendEmail(mail(`smtp://127.0.0.1:${open.port}`));
    expect(open.mails).toHaveLength(1);
  });

  // Without a login, a STARTTLS stripped on the way sent the summary (rejects quote source data) in clear to a remote relay.
  const outward = outwardAddress();
  if (outward === undefined && process.env['CI'])
    throw new Error('notify: this machine has no IPv4 address but loopback, which the STARTTLS test of a remote relay needs; CI must run it');
  it.skipIf(outward === undefined)('requires STARTTLS of a host that is not this machine, even without a login, unless requireTLS=false', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] }, outward);
    const url = `smtp://${outward}:${server.port}`;
    const err = await rejection(sendEmail(mail(url)));
    expect(err.message).toMatch(
      new RegExp(
        `^notify\\[0\\]: email to ops@example.com, dev@example.com via ${url.replaceAll('.', '\\.')} failed: the server did not take STARTTLS \\(5\\d\\d [^)]*\\), so the email was not sent: it goes unencrypted only if notify.smtp.url says requireTLS=false \\(or use smtps://\\)$`,
      ),
    );
    expect(err.retryable).toBe(false);
    expect(server.mails).toHaveLength(0);
    expect((await rejection(sendEmail(mail(`${url}?ignoreTLS=true`)))).message).toBe(
      `notify[0]: notify.smtp.url sets ignoreTLS for ${outward}, which would send the email unencrypted: add requireTLS=false to accept that, or use smtps://`,
    );
    await sendEmail(mail(`${url}?requireTLS=false`));
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]?.secure).toBe(false);
  });

  it('fails a bad login without retry and without the password in the message', async () => {
    const masker = new SecretMasker(['ferry-project-secret']);
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (_a, _s, callback) => callback(new Error('Invalid username or password')),
    });
    const url = `smtp://ferry:wrong%2Fpass-123@127.0.0.1:${server.port}?requireTLS=false`;
    const err = await rejection(sendEmail(mail(url, { mask: (t) => masker.mask(t) })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      new RegExp(`^notify\\[0\\]: email to ops@example.com, dev@example.com via smtp://127.0.0.1:${server.port} failed: Invalid login: 535`),
    );
    expect(err.message).not.toMatch(/wrong|pass-123/);
    expect(server.mails).toEqual([]);
  });

  it('masks the login as AUTH PLAIN and AUTH LOGIN encode it when a server echoes it in its refusal', async () => {
    const password = 'wrong/pass-123';
    const plain = Buffer.from(`\0ferry\0${password}`).toString('base64');
    const login = Buffer.from(password).toString('base64');
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (_a, _s, callback) => callback(new Error(`refused ${plain} ${login}`)),
    });
    const err = await rejection(sendEmail(mail(`smtp://ferry:${encodeURIComponent(password)}@127.0.0.1:${server.port}?requireTLS=false`)));
    expect(err.message).toContain('refused *** ***');
  });

  it('refuses a URL that would make nodemailer run a program or log the login, sending nothing', async () => {
    const dir = tempDir('ferry-sendmail-');
    cleanups.push(dir.cleanup);
    const program = join(dir.dir, 'sendmail.sh');
    writeFileSync(program, `#!/bin/sh\ncat >/dev/null\ntouch "${program}.ran"\n`, { mode: 0o755 });
    const refusal = await rejection(sendEmail(mail(`smtp://127.0.0.1:2525?sendmail=true&path=${encodeURIComponent(program)}`)));
    expect(refusal.message).toBe('notify[0]: notify.smtp.url may not set sendmail (an SMTP server is sent to, nothing else)');
    expect(refusal.retryable).toBe(false);
    expect(existsSync(`${program}.ran`)).toBe(false);
    const logger = await rejection(sendEmail(mail('smtp://u:pw-1234@127.0.0.1:2525?logger=true&debug=true')));
    expect(logger.message).toBe('notify[0]: notify.smtp.url may not set logger (an SMTP server is sent to, nothing else)');
    expect((await rejection(sendEmail(mail('http://127.0.0.1:2525')))).message).toBe('notify[0]: notify.smtp.url must be smtp:// or smtps://, not http://');
  });

  it("escapes the control characters of a server's reply: it is printed on a terminal", async () => {
    const port = await rawServer((socket) => {
      socket.write('220 raw.example ESMTP\r\n');
      socket.on('data', (d: Buffer) => socket.write(/^EHLO/i.test(d.toString()) ? '250 raw.example\r\n' : '550 no \x1b]0;owned\x07\x1b[2J way\r\n'));
    });
    const err = await rejection(sendEmail(mail(`smtp://127.0.0.1:${port}`)));
    expect(err.message).toContain('550 no \\x1b]0;owned\\x07\\x1b[2J way');
    expect(err.message).not.toMatch(/[\x00-\x1f]/);
  });

  it('reports recipients the server refused when others were accepted', async () => {
    const server = await smtp({
      onRcptTo: (address, _session, callback) => (address.address === 'dev@example.com' ? callback(new Error('no such mailbox')) : callback()),
    });
    const detail = await sendEmail(mail(`smtp://127.0.0.1:${server.port}`));
    expect(detail).toBe('email to ops@example.com (refused: dev@example.com)');
    expect(server.mails[0]?.to).toEqual(['ops@example.com']);
  });

  it('fails a server that is down with a retryable error', async () => {
    const port = await closedPort();
    const err = await rejection(sendEmail(mail(`smtp://ops:topsecret@127.0.0.1:${port}`)));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`via smtp://127.0.0.1:${port} failed:`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain('topsecret');
  });

  it('ends an exchange the server trickles without end at the deadline, and closes its connection', async () => {
    // Each `250-` continuation line resets nodemailer's idle timeout: only a deadline on the whole exchange ends it.
    let closed: () => void = () => undefined;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('220 slow.example ESMTP\r\n');
      socket.once('data', () => {
        const trickle = setInterval(() => socket.write('250-still here\r\n'), 100);
        socket.on('close', () => {
          clearInterval(trickle);
          closed();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    const err = await rejection(sendEmail(mail(`smtp://ops:topsecret@127.0.0.1:${port}?socketTimeout=500`, { deadlineMs: 1500 })));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.message).toBe(`notify[0]: email to ops@example.com, dev@example.com via smtp://127.0.0.1:${port} failed: no end to the exchange within 1.5s`);
    expect(err.retryable).toBe(true);
    await connectionClosed;
  });
});

describe('webhook to a real HTTP server', () => {
  const sleeps: number[] = [];
  const hook = (url: string, extra: Partial<WebhookOptions> = {}): WebhookOptions => ({
    url,
    body: JSON.stringify(webhookBody(report)),
    label: 'notify[1]',
    delaysMs: [5, 10],
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  });
  afterEach(() => void sleeps.splice(0));

  it('POSTs the summary JSON, signed with HMAC-SHA256 of the exact bytes', async () => {
    const server = await http(() => ({ status: 204 }));
    const detail = await postWebhook(hook(`${server.url}/hook?token=abc`, { secret: 'hook-secret' }));
    expect(detail).toBe(`webhook ${server.url}/hook?token=*** answered 204`);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/hook?token=abc');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('ferry');
    expect(req?.headers['x-ferry-event']).toBe('job.finished');
    const expected = createHmac('sha256', 'hook-secret').update(req!.body).digest('hex');
    expect(req?.headers['x-ferry-signature']).toBe(`sha256=${expected}`);
    expect(JSON.parse(req!.body.toString('utf8'))).toEqual({ ...webhookBody(report), event: 'job.finished' });
  });

  // `$${X}` is ferry.yaml's literal `${X}`: a webhook URL had no way to write one (it was always read from the environment).
  it('sends $${NAME} as a literal ${NAME}, and reads ${NAME} beside it', async () => {
    const server = await http(() => ({ status: 200 }));
    await postWebhook(hook(`${server.url}/h/$\${LITERAL}?token=\${T}`, { env: { T: 'tok', LITERAL: 'not-read' } }));
    expect(server.requests[0]?.path).toBe('/h/$%7BLITERAL%7D?token=tok');
  });

  it('sends no signature without a secret, and URL credentials as Basic authentication', async () => {
    const server = await http(() => ({ status: 200 }));
    const detail = await postWebhook(hook(server.url.replace('//', '//bot:s3cret@') + '/h'));
    expect(detail).toBe(`webhook ${server.url.replace('//', '//bot:***@')}/h answered 200`);
    expect(server.requests[0]?.headers['x-ferry-signature']).toBeUndefined();
    expect(server.requests[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
  });

  it('retries a 503 and succeeds on the next attempt', async () => {
    const server = await http((n) => (n === 1 ? { status: 503, body: 'warming up' } : { status: 200 }));
    const detail = await postWebhook(hook(`${server.url}/hook`));
    expect(detail).toBe(`webhook ${server.url}/hook answered 200 (attempt 2)`);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([5]);
  });

  it('sends the same Ferry-Delivery-Id in every attempt: a receiver that got the first despite its 500 drops the repeat', async () => {
    const server = await http((n) => (n === 1 ? { status: 500 } : { status: 200 }));
    await postWebhook(hook(`${server.url}/hook`, { deliveryId: 'import-users-20250102T030405-ab12.1.0.succeeded' }));
    expect(server.requests.map((r) => r.headers['ferry-delivery-id'])).toEqual([
      'import-users-20250102T030405-ab12.1.0.succeeded',
      'import-users-20250102T030405-ab12.1.0.succeeded',
    ]);
  });

  it('does not retry a 400, and the error is not retryable', async () => {
    const server = await http(() => ({ status: 400, body: '{"error": "unknown event"}' }));
    const err = await rejection(postWebhook(hook(`${server.url}/hook`)));
    expect(err.message).toBe(`notify[1]: webhook ${server.url}/hook failed: answered 400 Bad Request: {"error": "unknown event"}`);
    expect(err.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry a URL fetch refuses before any network (a blocked port), and the error is not retryable', async () => {
    const err = await rejection(postWebhook(hook('http://127.0.0.1:1/hook')));
    expect(err.message).toBe('notify[1]: webhook http://127.0.0.1:1/hook failed: fetch failed: bad port');
    expect(err.retryable).toBe(false);
    expect(sleeps).toEqual([]);
  });

  it('refuses a whole-URL reference whose value is not http(s): a data: URL was counted as answered 200, a file: URL tried again', async () => {
    for (const value of ['data:text/plain,hi', 'file:///etc/hostname', 'ftp://127.0.0.1/x']) {
      const err = await rejection(postWebhook(hook('${HOOK_URL}', { env: { HOOK_URL: value } })));
      const scheme = value.slice(0, value.indexOf(':') + 1);
      expect(err.message).toBe(`notify[1]: webhook \${HOOK_URL} is not an http(s) URL (its value is a ${scheme} URL)`);
      expect(err.retryable).toBe(false);
    }
    expect(sleeps).toEqual([]);
  });

  it('gives up after the last attempt on 5xx, leaving the engine free to retry later', async () => {
    const server = await http(() => ({ status: 502 }));
    const err = await rejection(postWebhook(hook(`${server.url}/hook`)));
    expect(err.message).toBe(`notify[1]: webhook ${server.url}/hook failed after 3 attempts: answered 502 Bad Gateway`);
    expect(err.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([5, 10]);
  });

  it('does not follow a redirect', async () => {
    const server = await http(() => ({ status: 302, headers: { location: 'http://elsewhere.example/' } }));
    const err = await rejection(postWebhook(hook(`${server.url}/hook`)));
    expect(err.message).toContain('answered 302 Found (redirect to http://elsewhere.example/; webhooks are not redirected');
    expect(err.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('fails clearly when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    const err = await rejection(postWebhook(hook(url)));
    expect(err.message).toMatch(new RegExp(`^notify\\[1\\]: webhook ${url} failed after 3 attempts: fetch failed: connect ECONNREFUSED`));
    expect(err.retryable).toBe(true);
  });

  it('masks the Basic credentials when the receiver echoes its Authorization header', async () => {
    const server = await startHttpServer((req, res) => res.writeHead(500).end(`auth=${req.headers.authorization ?? ''}`));
    const err = await rejection(postWebhook(hook(server.url.replace('//', '//bot:s3cret-pw@') + '/h', { delaysMs: [] })));
    expect(err.message).not.toContain(Buffer.from('bot:s3cret-pw').toString('base64'));
    expect(err.message).toBe(`notify[1]: webhook ${server.url.replace('//', '//bot:***@')}/h failed: answered 500 Internal Server Error: auth=Basic ***`);
  });

  it('masks an echoed secret before the quote of the answer is cut, so no part of it shows', async () => {
    // The credentials straddle the 200 characters quoted: cut first, their start no longer matched.
    const server = await startHttpServer((req, res) => res.writeHead(500).end(`${'x'.repeat(190)}${req.headers.authorization ?? ''}`));
    const err = await rejection(postWebhook(hook(server.url.replace('//', '//bot:s3cret-pw-long@') + '/h', { delaysMs: [] })));
    const encoded = Buffer.from('bot:s3cret-pw-long').toString('base64');
    expect(err.message).not.toContain(encoded.slice(0, 4));
    expect(err.message).toMatch(/: x{190}Basic \*\*\*$/);
  });

  it('counts a 2xx as delivered at once, even when its body never ends: no failure, no second POST', async () => {
    let requests = 0;
    const server = await startHttpServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/plain' }).write('ok');
    });
    expect(await postWebhook(hook(`${server.url}/h`, { timeoutMs: 1000 }))).toBe(`webhook ${server.url}/h answered 200`);
    expect(requests).toBe(1);
  });

  it("escapes the control characters of a receiver's answer and redirect", async () => {
    // Raw HTTP: Node's own server refuses to write a control character in a header. fetch refuses
    // C0 ones there too, but takes the byte 0x9b: a one-byte CSI (C1) on some terminals.
    const port = await rawServer((socket) =>
      socket.once('data', (d: Buffer) =>
        socket.end(
          d.toString().startsWith('POST /moved')
            ? Buffer.from('HTTP/1.1 302 Found\r\nLocation: /x\x9b2Jy\r\nContent-Length: 0\r\n\r\n', 'latin1')
            : 'HTTP/1.1 500 Oops\r\nContent-Length: 23\r\n\r\nbad \x1b]0;owned\x07 news....',
        ),
      ),
    );
    const failed = await rejection(postWebhook(hook(`http://127.0.0.1:${port}/h`, { delaysMs: [] })));
    expect(failed.message).toMatch(/answered 500 Oops: bad \\x1b\]0;owned\\x07 news\.+$/);
    const moved = await rejection(postWebhook(hook(`http://127.0.0.1:${port}/moved`, { delaysMs: [] })));
    expect(moved.message).toContain('(redirect to /x\\x9b2Jy;');
    for (const message of [failed.message, moved.message]) expect(message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('reads only the start of an answer that streams without end', async () => {
    let written = 0;
    const server = await startHttpServer((_req, res) => {
      res.writeHead(500);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    const err = await rejection(postWebhook(hook(`${server.url}/flood`, { delaysMs: [], timeoutMs: 30_000 })));
    expect(err.message).toMatch(/answered 500 Internal Server Error: x{200}…$/);
    // The connection is closed after the first few KB: the receiver could write only what the socket buffers held.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('times out a receiver that never answers', async () => {
    const server = await http(() => 'hang');
    const err = await rejection(postWebhook(hook(`${server.url}/slow`, { timeoutMs: 150, delaysMs: [] })));
    expect(err.message).toBe(`notify[1]: webhook ${server.url}/slow failed: no answer within 0.15s`);
    expect(err.retryable).toBe(true);
  });
});

describe('notify activity against real servers', () => {
  it('sends the email and the signed webhook of a job folder, quoting its first rejects', async () => {
    const { dir, cleanup } = tempDir('ferry-notify-');
    cleanups.push(cleanup);
    const smtpServer = await smtp();
    const hookServer = await http(() => ({ status: 200 }));
    const plan = samplePlan(dir, [
      { email: ['a@example.com', 'b@example.com'] },
      { webhook: `${hookServer.url}/h`, secret_env: 'FERRY_TEST_HOOK_SECRET', timeout: '2s' },
    ]);
    writeFileSync(rejectsPath(dir), sampleRejects.map((r) => JSON.stringify(r)).join('\n') + '\n');
    process.env['FERRY_TEST_HOOK_SECRET'] = 'activity-secret';
    cleanups.push(() => delete process.env['FERRY_TEST_HOOK_SECRET']);
    const deps: ActivityDeps = {
      connections: {},
      baseDir: dir,
      masker: new SecretMasker(),
      pool: new ConnectionPool({}, dir),
      smtp: { url: `smtp://127.0.0.1:${smtpServer.port}`, from: 'ferry@example.com' },
    };

    const delivery = (index: number): string => `${plan.jobId}.4.${index}.succeeded`;
    expect(await notify(deps, sampleInput({ plan, index: 0, delivery: delivery(0) }))).toEqual({
      index: 0,
      ok: true,
      detail: 'email to a@example.com, b@example.com',
    });
    const parsed = parseMail(smtpServer.mails[0]!.raw);
    expect(parsed.headers['message-id']).toBe(`<${delivery(0)}@ferry>`);
    expect(parsed.text).toContain('First 2 of 10 rejected records:');
    expect(parsed.text).toContain(`Full reject report: ${rejectsPath(dir)}`);

    expect(await notify(deps, sampleInput({ plan, index: 1, delivery: delivery(1) }))).toEqual({
      index: 1,
      ok: true,
      detail: `webhook ${hookServer.url}/h answered 200`,
    });
    const req = hookServer.requests[0]!;
    expect(req.headers['ferry-delivery-id']).toBe(delivery(1));
    expect(req.headers['x-ferry-signature']).toBe(`sha256=${createHmac('sha256', 'activity-secret').update(req.body).digest('hex')}`);
    expect(JSON.parse(req.body.toString('utf8'))).toMatchObject({
      event: 'job.finished',
      delivery_id: delivery(1),
      job: samplePlan().jobId,
      artifacts: { dir, rejects: rejectsPath(dir), output: null },
    });
  });
});
