import { describe, expect, it } from 'vitest';
import { resolveWebhookUrl, webhookUrlProblem } from '../../../src/spec/webhook-url.js';
import { pipelineSchema } from '../../../src/spec/pipeline-schema.js';

describe('webhook URLs in a pipeline', () => {
  it.each([
    'https://hooks.example.com/ferry',
    'https://hooks.example.com/ferry?page=2&format=json',
    'https://${HOOK_USER}:${HOOK_PASS}@hooks.example.com/h',
    'https://hooks.example.com/h?token=${HOOK_TOKEN}&sig=${HOOK_SIG}',
    '${CHAT_HOOK_URL}',
    'http://127.0.0.1:8080/h/${HOOK_PATH_SECRET}',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url)).toBeNull();
  });

  it.each([
    ['https://bot:hunter2@hooks.example.com/h', /^credentials written in the URL/],
    ['https://ghp_abcdef@hooks.example.com/h', /^credentials written in the URL/],
    ['https://${HOOK_USER}:pw${X}@hooks.example.com/h', /^credentials written in the URL/],
    ['https://hooks.example.com/h?access_token=abc', /^query parameter "access_token" holds a credential/],
    ['https://hooks.example.com/h?apiKey=abc', /^query parameter "apiKey"/],
    ['https://hooks.example.com/h?Signature=abc', /^query parameter "Signature"/],
    ['not a url', /^expected an http\(s\) URL/],
    ['ftp://hooks.example.com/h', /^expected an http\(s\) URL, got ftp:/],
  ])('refuses %s', (url, message) => {
    expect(webhookUrlProblem(url)).toMatch(message);
  });

  it('takes $${NAME} as a literal ${NAME}, as ferry.yaml does: text written in the URL like any other', () => {
    expect(webhookUrlProblem('https://h/x/$${NAME}?token=${T}')).toBeNull();
    expect(webhookUrlProblem('https://h/x?token=$${T}')).toMatch(/^query parameter "token" holds a credential/);
    expect(webhookUrlProblem('$${HOOK_URL}')).toMatch(/^expected an http\(s\) URL/);
    expect(resolveWebhookUrl('https://h/x/$${NAME}?token=${T}', { T: 't', NAME: 'no' })).toEqual({ url: 'https://h/x/${NAME}?token=t', secrets: ['t'] });
    expect(resolveWebhookUrl('https://h/$${UNSET}', {})).toEqual({ url: 'https://h/${UNSET}', secrets: [] });
  });

  it('resolves references from the environment when sending, and returns the values to mask', () => {
    expect(resolveWebhookUrl('https://${U}:${P}@h/x?token=${T}', { U: 'u', P: 'p@ss', T: 't&x=1' })).toEqual({
      url: 'https://u:p%40ss@h/x?token=t%26x%3D1',
      secrets: ['u', 'p@ss', 't&x=1'],
    });
    expect(resolveWebhookUrl('https://h/services/${P}', { P: 'T0/B0/xyz' })).toEqual({ url: 'https://h/services/T0/B0/xyz', secrets: ['T0/B0/xyz'] });
    expect(resolveWebhookUrl('${WHOLE}', { WHOLE: 'https://h/a?b=c' })).toEqual({ url: 'https://h/a?b=c', secrets: ['https://h/a?b=c'] });
    expect(resolveWebhookUrl('https://h/x?token=${T}', {})).toEqual({ unset: 'T' });
  });
});

describe('a webhook timeout', () => {
  const pipeline = (timeout: unknown) => ({
    source: { file: 'users.csv' },
    target: { connection: 'users' },
    notify: [{ webhook: 'https://hooks.example.com/h', timeout }],
  });

  it.each([1, '500ms', '10s', '1h'])('accepts %s', (timeout) => {
    expect(pipelineSchema.safeParse(pipeline(timeout)).success).toBe(true);
  });

  // 0 aborted every attempt at once; past 2^31 ms Node fires a timer at once as well.
  it.each([0, '0s', '2h', 2 ** 31, '1000h'])('refuses %s, saying the range', (timeout) => {
    const parsed = pipelineSchema.safeParse(pipeline(timeout));
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('expected a duration from 1ms to 1h');
  });
});
