import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool, type ActivityDeps } from '../../../activities/deps.js';
import { rejectsPath } from '../../../activities/job-files.js';
import { notify } from '../../../activities/notify.js';
import { isRetryable } from '../../../src/connections/errors.js';
import { displayServer, displayUrl } from '../../../src/notify/display-url.js';
import { isTransient } from '../../../src/notify/email.js';
import { readFirstRejects } from '../../../src/notify/first-rejects.js';
import { NotifyError } from '../../../src/notify/notify-error.js';
import { signature } from '../../../src/notify/webhook.js';
import { SecretMasker } from '../../../src/spec/secrets.js';
import { tempDir } from '../../helpers/cli.js';
import { sampleInput, samplePlan, sampleRejects } from './fixtures.js';

describe('NotifyError', () => {
  it('tells the engine whether to retry through its retryable flag', () => {
    expect(isRetryable(new NotifyError('down', { retryable: true }))).toBe(true);
    expect(isRetryable(new NotifyError('400', { retryable: false }))).toBe(false);
  });
});

describe('email failures', () => {
  it('are transient when the server is unreachable or answers 4xx, not on 5xx, login or TLS failures', () => {
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('try later'), { code: 'EENVELOPE', responseCode: 451 }))).toBe(true);
    expect(isTransient(Object.assign(new Error('no such user'), { code: 'EENVELOPE', responseCode: 550 }))).toBe(false);
    expect(isTransient(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 }))).toBe(false);
    expect(isTransient(Object.assign(new Error('self-signed certificate'), { code: 'ETLS' }))).toBe(false);
    expect(isTransient('boom')).toBe(false);
  });
});

describe('target URLs in records and messages', () => {
  it('mask passwords and query values but keep host and path', () => {
    expect(displayUrl('https://bot:t0ken@hooks.example.com/ferry?sig=abc&sig=def&team=x')).toBe('https://bot:***@hooks.example.com/ferry?sig=***&team=***');
    expect(displayUrl('http://127.0.0.1:8080/hook')).toBe('http://127.0.0.1:8080/hook');
    expect(displayServer('smtp://ops:pa55@mail.example.com:587?tls.rejectUnauthorized=false')).toBe('smtp://mail.example.com:587');
    expect(displayServer('not a url ops:pa55@x')).toBe('the server of notify.smtp.url');
  });
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 in hex (RFC 4231 test case 2)', () => {
    expect(signature('Jefe', 'what do ya want for nothing?')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('notify activity', () => {
  let dir: string;
  let cleanup: () => void;
  let deps: ActivityDeps;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('ferry-notify-'));
    deps = { connections: {}, baseDir: dir, masker: new SecretMasker(), pool: new ConnectionPool({}, dir) };
  });
  afterEach(() => cleanup());

  const failure = async (promise: Promise<unknown>): Promise<NotifyError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotifyError);
    return err as NotifyError;
  };

  it('refuses an email notification when ferry.yaml has no notify.smtp, without retry', async () => {
    const plan = samplePlan(dir, [{ email: 'ops@example.com' }]);
    const err = await failure(notify(deps, sampleInput({ plan })));
    expect(err.message).toBe('notify[0]: email needs notify.smtp in ferry.yaml');
    expect(err.retryable).toBe(false);
  });

  it('names the missing secret_env variable and never sends unsigned', async () => {
    delete process.env['FERRY_TEST_UNSET_SECRET'];
    const plan = samplePlan(dir, [{ email: 'a@example.com' }, { webhook: 'http://127.0.0.1:9/x', secret_env: 'FERRY_TEST_UNSET_SECRET' }]);
    const err = await failure(notify(deps, sampleInput({ plan, index: 1 })));
    expect(err.message).toBe('notify[1]: webhook secret_env FERRY_TEST_UNSET_SECRET is not set in the environment');
    expect(err.retryable).toBe(false);
  });

  it('refuses an index the plan does not have', async () => {
    const plan = samplePlan(dir, []);
    const err = await failure(notify(deps, sampleInput({ plan, index: 2 })));
    expect(err.message).toBe("notify[2]: the job's plan has no notification 2");
  });
});

describe('readFirstRejects', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('ferry-rejects-')));
  afterEach(() => cleanup());

  it('reads only the first records and skips lines that are not rejects', async () => {
    const lines = [
      '{"row":1,"record":{},"errors":[{"code":"FORMAT","message":"m","path":"email"}]}',
      '{not json',
      '',
      '"text"',
      ...sampleRejects.map((r) => JSON.stringify(r)),
    ];
    writeFileSync(rejectsPath(dir), lines.join('\n') + '\n');
    const first = await readFirstRejects(rejectsPath(dir), 2);
    expect(first.map((r) => r.row)).toEqual([1, 3]);
    expect(await readFirstRejects(rejectsPath(dir), 10)).toHaveLength(3);
    expect(await readFirstRejects(rejectsPath(dir), 0)).toEqual([]);
  });

  it('turns malformed error fields into strings', async () => {
    writeFileSync(rejectsPath(dir), '{"row":4,"errors":[{"code":7},null]}\n');
    const [reject] = await readFirstRejects(rejectsPath(dir), 5);
    expect(reject?.errors).toEqual([
      { code: '7', message: '', path: '' },
      { code: '', message: '', path: '' },
    ]);
  });
});
