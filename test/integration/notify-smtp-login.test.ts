import { afterEach, describe, expect, it } from 'vitest';
import { sendEmail, type SendEmailOptions } from '../../src/notify/email.js';
import { NotifyError } from '../../src/notify/notify-error.js';
import { startSmtp, type LoopbackSmtp } from '../unit/notify/loopback.js';

/**
 * The login of notify.smtp.url comes from `${SMTP_PASSWORD}` written into the URL as it is: a
 * password holding characters a URL gives a meaning to must reach the server as it is, or be
 * refused with the setting named — never read as another host.
 */
const servers: LoopbackSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function loginServer(logins: string[]): Promise<LoopbackSmtp> {
  const server = await startSmtp({
    disabledCommands: [],
    authOptional: false,
    onAuth: (auth, _session, callback) => {
      logins.push(`${auth.username}:${auth.password ?? ''}`);
      callback(null, { user: auth.username });
    },
  });
  servers.push(server);
  return server;
}

const mail = (url: string): SendEmailOptions => ({
  url,
  from: 'ferry@example.com',
  to: ['ops@example.com'],
  message: { subject: 's', text: 't', html: '<p>h</p>' },
  label: 'notify[0]',
  deadlineMs: 15_000,
});

async function refusal(url: string): Promise<NotifyError> {
  const err = await sendEmail(mail(url)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}

describe('notify.smtp.url logins that hold URL characters', () => {
  it('logs in to the server the URL names with a password holding a backslash (it went to a host named as the user)', async () => {
    const logins: string[] = [];
    const server = await loginServer(logins);
    const detail = await sendEmail(mail(`smtp://ferry:se\\cr:et@127.0.0.1:${server.port}?tls.rejectUnauthorized=false`));
    expect(detail).toBe('email to ops@example.com');
    expect(logins).toEqual(['ferry:se\\cr:et']);
    expect(server.mails).toHaveLength(1);
  });

  it('refuses a malformed %-escape in the login, naming the setting and keeping the password out (it was a bare "URI malformed")', async () => {
    const err = await refusal('smtp://ferry:s3cr%zzet@127.0.0.1:2525');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      'notify[0]: notify.smtp.url has a user or password that is not percent-encoded: a % in them must be written %25 (encodeURIComponent), e.g. p%25ss for p%ss',
    );
  });

  it('says how to write a password holding / ? or # when the URL does not parse', async () => {
    for (const password of ['s3c/ret', 's3c?ret', 's3c#ret']) {
      const err = await refusal(`smtp://ferry:${password}@127.0.0.1:2525`);
      expect(err.message).toBe(
        'notify[0]: notify.smtp.url is not a URL (expected smtp://host:port or smtps://host:port; a user or password holding @ : / ? # % \\ or a space must be percent-encoded, e.g. p%2Fss for p/ss)',
      );
      expect(err.message).not.toContain('s3c');
    }
  });
});
