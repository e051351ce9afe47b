import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { maskUrl, SecretMasker } from '../../../src/spec/secrets.js';

describe('parseConfig', () => {
  const text = `engine: embedded
connections:
  users: { driver: sqlite, path: .ferry/users.db }
  legacy:
    driver: postgres
    url: "postgres://app:\${LEGACY_PG_PASSWORD}@db.internal/crm"
    table: crm.app_users
notify:
  smtp: { url: "\${SMTP_URL}", from: ferry@example.com }
`;

  it('interpolates ${VAR} from the environment and records the values as secrets', () => {
    const parsed = parseConfig('ferry.yaml', text, { LEGACY_PG_PASSWORD: 's3cr3t!', SMTP_URL: 'smtp://mailer:pw1234@mail:587' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config?.connections['legacy']).toMatchObject({ driver: 'postgres', url: 'postgres://app:s3cr3t!@db.internal/crm', table: 'crm.app_users' });
    expect(parsed.config?.connections['users']).toEqual({ driver: 'sqlite', path: '.ferry/users.db', table: 'users' });
    expect(parsed.secrets).toEqual(['s3cr3t!', 'smtp://mailer:pw1234@mail:587']);
  });

  it('reports every unset variable at its ${, never substituting an empty string', () => {
    const parsed = parseConfig('ferry.yaml', text, {});
    expect(parsed.config).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:6:26 connections.legacy.url: environment variable LEGACY_PG_PASSWORD is not set',
      'ferry.yaml:9:17 notify.smtp.url: environment variable SMTP_URL is not set',
    ]);
  });

  it('a value refused because a variable it reads is set but empty names that variable', () => {
    const parsed = parseConfig('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: "${DBPATH}" }\n', { DBPATH: '' });
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:2:34 connections.users.path: expected at least 1 character(s), got "" (environment variable DBPATH is set, to an empty string)',
    ]);
  });

  it('$${VAR} writes a literal ${VAR}, in a value or a key (where a connection name cannot hold one: said at the key)', () => {
    const config = 'connections:\n  legacy: { driver: postgres, url: "postgres://app:pa$${SS}@h/db", table: t }\n';
    const parsed = parseConfig('ferry.yaml', config, { SS: 'no' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config?.connections['legacy']).toMatchObject({ url: 'postgres://app:pa${SS}@h/db' });
    expect(parsed.secrets).toEqual([]);
    const key = parseConfig('ferry.yaml', 'connections:\n  $${X}: { driver: sqlite, path: a.db }\n', { X: 'users' });
    expect(key.diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:2:3 connections.${X}: invalid name "${X}": a connection name is letters, digits, - and _',
    ]);
  });

  // The parser's duplicate-key check runs before the environment is read: the later connection silently replaced the other.
  it('refuses a key that ${VAR} makes equal to another key of its map, at the key', () => {
    const config = 'connections:\n  users: { driver: sqlite, path: a.db }\n  ${B}: { driver: sqlite, path: b.db }\n';
    const parsed = parseConfig('ferry.yaml', config, { B: 'users' });
    expect(parsed.config).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:3:3 connections: this key is "users" once its environment variables are read, as is the key at line 2: one would replace the other',
    ]);
  });

  // `${X}: temporal` with X=engine set the engine where nobody wrote `engine:`, and `${P}: x` any setting of a connection.
  it('refuses ${VAR} in the name of a setting, at its ${: only values and connection names read the environment', () => {
    const config =
      'state_dir: s\n${X}: temporal\nconnections:\n  ${C}:\n    driver: sqlite\n    path: a.db\n    x$${Y}: 1\n  b:\n    driver: sqlite\n    ${P}: b.db\n';
    const parsed = parseConfig('ferry.yaml', config, { X: 'engine', C: 'users', P: 'path', Y: 'z' });
    expect(parsed.config).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      "ferry.yaml:2:1 ${X}: ${X} in a setting's name: environment variables are read in values and connection names only, so write the setting's name itself",
      'ferry.yaml:7:5 connections.users.x${Y}: unknown key "x${Y}"',
      'ferry.yaml:9:5 connections.b.path: missing required key "path"',
      "ferry.yaml:10:5 connections.b.${P}: ${P} in a setting's name: environment variables are read in values and connection names only, so write the setting's name itself",
    ]);
  });

  it('rejects unknown keys and unknown drivers', () => {
    const parsed = parseConfig(
      'ferry.yaml',
      'engine: embeded\nconnections:\n  a: { driver: mysql, path: x }\n  b: { driver: sqlite, path: x, tabel: t }\n',
      {},
    );
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:1:9 engine: expected one of "embedded", "temporal", got "embeded"',
      'ferry.yaml:3:16 connections.a.driver: expected driver "sqlite" or "postgres"',
      'ferry.yaml:4:33 connections.b.tabel: unknown key "tabel" (did you mean "table"?)',
    ]);
  });
});

describe('database waits (query_timeout, connect_timeout)', () => {
  const config = (wait: string) => `connections:\n  crm: { driver: postgres, url: "postgres://u@h/db", table: t, query_timeout: ${wait} }\n`;

  it.each(['1s', '5m', '24h'])('accepts %s', (wait) => {
    expect(parseConfig('ferry.yaml', config(wait), {}).diagnostics).toEqual([]);
  });

  // 0 would turn the limit off; past 24.8 days Node's timer overflows and fires at once.
  it.each(['0s', '0ms', '500ms', '25h', '600h'])('refuses %s, at its line', (wait) => {
    expect(parseConfig('ferry.yaml', config(wait), {}).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '2:79 expected a duration from 1s to 24h, such as 30s or 5m',
    ]);
  });
});

describe('secret masking', () => {
  it('masks passwords in URLs by shape', () => {
    expect(maskUrl('connect postgres://app:hunter2@db:5432/users failed')).toBe('connect postgres://app:***@db:5432/users failed');
    expect(maskUrl('smtp://user@mail:25 has no password')).toBe('smtp://user@mail:25 has no password');
  });

  it('masks registered values wherever they appear', () => {
    const masker = new SecretMasker(['tok-12345', 'ab']);
    expect(masker.mask('token tok-12345 rejected; ab stays (too short to mask)')).toBe('token *** rejected; ab stays (too short to mask)');
  });
});

// Masked by value everywhere, `table: ${TABLE}` = users printed an import-users job as import-***-…
describe('values from the environment that are no secret', () => {
  const text = [
    'engine: ${ENGINE}',
    'state_dir: ${HOME_DIR}/state',
    'connections:',
    '  ${STORE}: { driver: sqlite, path: "${HOME_DIR}/users.db", table: "${TABLE}" }',
    '  crm: { driver: postgres, url: "postgres://app:${PG_PASSWORD}@db/crm", table: "${TABLE}" }',
    'notify:',
    '  smtp: { url: "${SMTP_URL}", from: "${MAIL_FROM}" }',
    '',
  ].join('\n');
  const env = {
    ENGINE: 'embedded',
    HOME_DIR: '/home/ferry',
    STORE: 'users',
    TABLE: 'users',
    PG_PASSWORD: 'hunter22',
    SMTP_URL: 'smtp://mailer:pw1234@mail:587',
    MAIL_FROM: 'ferry@example.com',
  };

  it('are not masked: engine, state_dir, a connection name, path and table, the sender', () => {
    const parsed = parseConfig('ferry.yaml', text, env);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config).toMatchObject({ engine: 'embedded', state_dir: '/home/ferry/state', connections: { users: { table: 'users' } } });
    expect(parsed.secrets).toEqual(['hunter22', 'smtp://mailer:pw1234@mail:587']);
    const masker = new SecretMasker(parsed.secrets);
    expect(masker.mask('job import-users-20260101T000000-abcd: /home/ferry/state, smtp://mailer:pw1234@mail:587, hunter22')).toBe(
      'job import-users-20260101T000000-abcd: /home/ferry/state, ***, ***',
    );
  });
});

describe('the position of an unset variable', () => {
  // Counted in the value, the column moved left by one per escape or doubled quote before the ${, and a folded one pointed at the >.
  it('is where its ${ is written, after an escape, a doubled quote, in a folded block', () => {
    const text = [
      'connections:',
      '  a: { driver: postgres, url: "postgres://u:\\tx${A}${B}", table: users }',
      '  b:',
      '    driver: postgres',
      '    url: >-',
      '      postgres://u:',
      '      ${C}',
      '    table: users',
      "  c: { driver: postgres, url: 'it''s ${D}', table: t }",
      '',
    ].join('\n');
    expect(parseConfig('ferry.yaml', text, {}).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '2:48 environment variable A is not set',
      '2:52 environment variable B is not set',
      '7:7 environment variable C is not set',
      '9:38 environment variable D is not set',
    ]);
  });
});

// A `from` that was not an address passed `validate` and failed each job's email at its end; a line break in it would start a header of its own.
describe('notify.smtp.from', () => {
  const config = (from: string): string => `notify:\n  smtp:\n    url: "smtp://127.0.0.1:2525"\n    from: ${from}\n`;
  const diagnostics = (from: string, env: Record<string, string> = {}): string[] =>
    parseConfig('ferry.yaml', config(from), env).diagnostics.map(formatDiagnostic);
  const expected = 'expected a sender address, such as ferry@example.com or "Ferry <ferry@example.com>"';

  it.each([
    ['ferry@example.com'],
    ['ferry@localhost'],
    ['"Ferry Bot <ferry+ops@mail.example.com>"'],
    ['"\\"Ferry, ops\\" <ferry@example.com>"'],
    ['jörg@bücher.example'],
    ['"J. O\'Brien <ferry@example.com>"'],
    ['"\\"Ferry\\" Bot <ferry@example.com>"'],
    ['"Ferry (prod) <ferry@example.com>"'],
  ])('takes %s', (from) => expect(diagnostics(from)).toEqual([]));

  it.each([
    ['not an address'],
    ['ferry@'],
    ['"@example.com"'],
    ['"Ferry <ferry@example.com"'],
    ['"a@example.com\\r\\nBcc: evil@example.com"'],
    ['"Ferry\\n<ferry@example.com>"'],
    // nodemailer read each as a sender without an address: a `,` or `;` starts another, a `:` a group, a lone `"` swallows the <…>
    ['"Ferry, ops <ferry@example.com>"'],
    ['"Ferry; <ferry@example.com>"'],
    ['"Ferry: <ferry@example.com>"'],
    ['"\\"Ferry <ferry@example.com>"'],
    ['"Ferry ( <ferry@example.com>"'],
  ])('refuses %s at its position', (from) => expect(diagnostics(from)).toEqual([`ferry.yaml:4:11 notify.smtp.from: ${expected}`]));

  it('refuses a line break that comes from the environment', () => {
    expect(diagnostics('"${MAIL_FROM}"', { MAIL_FROM: 'ferry@example.com\r\nBcc: evil@example.com' })).toEqual([
      `ferry.yaml:4:11 notify.smtp.from: ${expected}`,
    ]);
  });
});
