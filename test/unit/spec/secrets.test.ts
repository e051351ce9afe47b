import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../../src/notify/display-url.js';
import { maskUrl, SecretMasker } from '../../../src/spec/secrets.js';
import { resolveWebhookUrl } from '../../../src/spec/webhook-url.js';

describe('maskUrl', () => {
  it('masks the password up to the last @ before the host', () => {
    expect(maskUrl('cannot connect to postgres://ferry:Real@Secret99@127.0.0.1:5499/crm: refused')).toBe(
      'cannot connect to postgres://ferry:***@127.0.0.1:5499/crm: refused',
    );
    expect(maskUrl('postgres://ferry:a@b@c@db/x')).toBe('postgres://ferry:***@db/x');
  });

  it('keeps a user that holds @ (user@server logins)', () => {
    expect(maskUrl('postgres://me@server:Real@Secret99@db:5432/app')).toBe('postgres://me@server:***@db:5432/app');
  });

  it('masks a password holding / ? or #', () => {
    expect(maskUrl('postgres://ferry:ab/c?d#e@db/app')).toBe('postgres://ferry:***@db/app');
  });

  it('masks a password holding " whole, in plain text, quoted, and in JSON where it is escaped', () => {
    expect(maskUrl('cannot connect to postgres://ferry:pa"ss@db:5432/app: refused')).toBe('cannot connect to postgres://ferry:***@db:5432/app: refused');
    expect(maskUrl('postgres://ferry:"@db/app')).toBe('postgres://ferry:***@db/app');
    expect(maskUrl('postgres://ferry:a"b@c"d@db/app')).toBe('postgres://ferry:***@db/app');
    // a `"` followed by what follows a JSON string: still the password's own when no @ comes before it
    expect(maskUrl('postgres://ferry:ab",}c@db/app')).toBe('postgres://ferry:***@db/app');
    expect(maskUrl('url "postgres://ferry:pa"ss@db/app" refused')).toBe('url "postgres://ferry:***@db/app" refused');
    const json = JSON.stringify({ url: 'postgres://ferry:pa"ss@db/app', email: 'me@example.com' });
    expect(maskUrl(json)).toBe('{"url":"postgres://ferry:***@db/app","email":"me@example.com"}');
  });

  it('never reaches into a later JSON field: a URL with a port and no password stays as it is, and the JSON stays JSON', () => {
    const values = [
      { ui: 'http://localhost:8234/jobs/1', user: 'ann@example.com' },
      [{ url: 'postgres://ferry@db:5432/app' }, { url: 'postgres://u:secret@db2/app', email: 'me@x.com' }],
      { msg: 'connect postgres://ferry@db:5432/app', user: 'a@b.c' },
      { notify: [{ webhook: 'https://hooks.example.com:8443/ferry' }, { email: { to: ['ops@example.com'] } }] },
      { url: 'postgres://u:p\\@db/app', next: 'x@y.z' },
    ];
    for (const value of values) {
      const masked = maskUrl(JSON.stringify(value));
      expect(() => JSON.parse(masked) as unknown, masked).not.toThrow();
      expect(masked).not.toContain('secret');
    }
    expect(maskUrl(JSON.stringify(values[0]))).toBe(JSON.stringify(values[0]));
    expect(maskUrl(JSON.stringify(values[1]))).toBe('[{"url":"postgres://ferry@db:5432/app"},{"url":"postgres://u:***@db2/app","email":"me@x.com"}]');
    expect(maskUrl(JSON.stringify(values[2]))).toBe(JSON.stringify(values[2]));
  });

  it('leaves URLs without a password, and stops at whitespace and the end of a JSON string', () => {
    expect(maskUrl('postgres://ferry@db:5432/app and me@example.com')).toBe('postgres://ferry@db:5432/app and me@example.com');
    expect(maskUrl('{"url":"postgres://u:p@db/app","email":"me@example.com"}')).toBe('{"url":"postgres://u:***@db/app","email":"me@example.com"}');
  });

  // pg reads a password from the query too: `ferry connections` and a connection's errors showed it
  it('masks a password given as a query parameter, in plain text and in JSON', () => {
    expect(maskUrl('cannot connect to postgres://ferry@db/app?sslmode=require&password=Sekr3t (refused)')).toBe(
      'cannot connect to postgres://ferry@db/app?sslmode=require&password=*** (refused)',
    );
    expect(maskUrl('postgres://ferry@db/app?PASSWORD=Sekr3t&sslpassword=K3y#x')).toBe('postgres://ferry@db/app?PASSWORD=***&sslpassword=***#x');
    const json = JSON.stringify({ url: 'postgres://ferry@db/app?password=Se"kr3t', next: 'x' });
    const masked = maskUrl(json);
    expect(masked).not.toMatch(/Se|kr3t/);
    expect(JSON.parse(masked)).toEqual({ url: 'postgres://ferry@db/app?password=***', next: 'x' });
  });

  it('keeps the parenthesis that closes a url quoted in parentheses, and masks one inside the password', () => {
    expect(maskUrl('FAIL a (postgres postgres://u@db/crm?sslmode=disable&password=Sekr3t)')).toBe(
      'FAIL a (postgres postgres://u@db/crm?sslmode=disable&password=***)',
    );
    expect(maskUrl('(postgres://u@db/crm?password=Se)kr3t) 39ms')).toBe('(postgres://u@db/crm?password=***) 39ms');
  });
});

describe('SecretMasker', () => {
  it('masks a registered password holding @ whole, in and out of its URL', () => {
    const masker = new SecretMasker(['Real@Secret99']);
    const url = 'postgres://ferry:Real@Secret99@127.0.0.1:5499/crm';
    expect(masker.mask(`cannot connect to ${url}`)).toBe('cannot connect to postgres://ferry:***@127.0.0.1:5499/crm');
    expect(masker.mask('retry 2: password Real@Secret99 refused')).toBe('retry 2: password *** refused');
    // the whole URL as the secret (DATABASE_URL), and its percent-encoded password
    expect(new SecretMasker([url]).mask(`users: ${url}`)).toBe('users: ***');
    expect(masker.mask('postgres://ferry:Real%40Secret99@db/crm')).toBe('postgres://ferry:***@db/crm');
  });

  it('masks the longest secret first, so a secret inside another leaves nothing of it', () => {
    const masker = new SecretMasker(['Secret99', 'Real@Secret99']);
    expect(masker.mask('Real@Secret99 and Secret99')).toBe('*** and ***');
  });

  it.each(['Spa ce Tok99', 'Ünïcödé1234', 'tab<>"tok{}|x', "a\tb c`^'|\\x{}"])('masks a webhook token as a URL spells it: %j', (token) => {
    const masker = new SecretMasker([token]);
    const json = JSON.stringify(token).slice(1, -1);
    const form = new URLSearchParams({ t: token }).toString().slice(2);
    for (const spelled of [token, encodeURIComponent(token), encodeURI(token), form, json])
      expect(masker.mask(`hook/${spelled} failed`)).toBe('hook/*** failed');
    // as new URL(...).href writes it: the WHATWG parser's percent-encoding differs per part and scheme
    for (const base of ['http://127.0.0.1:1/hook/', 'http://127.0.0.1:1/hook?t=', 'http://127.0.0.1:1/hook#', 'smtp://mail/hook/']) {
      expect(masker.mask(new URL(`${base}${token}`).href)).toBe(`${base}***`);
    }
  });

  it('masks a token in a webhook path as the notification shows it', () => {
    const resolved = resolveWebhookUrl('http://127.0.0.1:1/hook/${HOOK_TOKEN}', { HOOK_TOKEN: 'Spa ce Tok99' });
    if ('unset' in resolved) throw new Error('unset');
    expect(new SecretMasker(resolved.secrets).mask(displayUrl(resolved.url))).toBe('http://127.0.0.1:1/hook/***');
  });

  it('masks registered values wherever they appear', () => {
    const masker = new SecretMasker(['tok-12345', 'ab']);
    expect(masker.mask('token tok-12345 rejected; ab stays (too short to mask)')).toBe('token *** rejected; ab stays (too short to mask)');
    expect(masker.secrets()).toEqual(['tok-12345']);
  });
});
