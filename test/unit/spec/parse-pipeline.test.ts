import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { checkSourceFields, checkTargetColumns } from '../../../src/spec/check-references.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';
import { parseYamlFile } from '../../../src/spec/yaml-document.js';

const lines = (text: string): string[] => parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic);

const valid = `source:
  file: users.csv
target:
  connection: users
`;

describe('parsePipeline', () => {
  it('accepts a minimal import and fills defaults', () => {
    const { pipeline, diagnostics } = parsePipeline('p.yaml', valid);
    expect(diagnostics).toEqual([]);
    expect(pipeline?.target).toEqual({ connection: 'users', key: ['email'], upsert: false, metadata: 'merge' });
  });

  it('reports YAML syntax errors with their position', () => {
    expect(lines('source:\n  file: "unterminated\n')).toEqual(['p.yaml:3:1 Missing closing "quote']);
    expect(lines('a: 1\na: 2\n')).toEqual([expect.stringMatching(/^p\.yaml:2:1 duplicate key a: /)]);
  });

  it('says a file holds one YAML document, where the second starts, in its own words', () => {
    expect(lines(`${valid}---\n${valid}`)).toEqual([
      'p.yaml:5:1 a second YAML document starts here: a Ferry file holds one (put each pipeline in a file of its own)',
    ]);
  });

  it('reports unknown keys at every depth, at the key, with a suggestion', () => {
    const text = `naem: x
source:
  file: users.csv
  formt: csv
  csv: { delimter: ";" }
target:
  connection: users
  upsret: true
validate:
  rules:
    - check: "true"
      message: ok
      severity: high
`;
    expect(lines(text)).toEqual([
      'p.yaml:1:1 naem: unknown key "naem" (did you mean "name"?)',
      'p.yaml:4:3 source.formt: unknown key "formt" (did you mean "format"?)',
      'p.yaml:5:10 source.csv.delimter: unknown key "delimter" (did you mean "delimiter"?)',
      'p.yaml:8:3 target.upsret: unknown key "upsret" (did you mean "upsert"?)',
      'p.yaml:13:7 validate.rules[0].severity: unknown key "severity"',
    ]);
  });

  // The key that tells a file source from a connection source (or target) mistyped: no form fit better, and it said only "does not match any allowed form".
  it('names a mistyped key that tells the forms of a source or target apart, with a suggestion', () => {
    expect(lines('source: { conection: users }\ntarget: { file: out.csv }\n')).toEqual([
      'p.yaml:1:11 source.conection: unknown key "conection" (did you mean "connection"?)',
    ]);
    expect(lines('source:\n  fil: users.csv\ntarget:\n  conection: users\n  upsert: true\n')).toEqual([
      'p.yaml:2:3 source.fil: unknown key "fil" (did you mean "file"?)',
      'p.yaml:4:3 target.conection: unknown key "conection" (did you mean "connection"?)',
    ]);
  });

  // JSON has no infinity: each said "got null", of a value that is plainly there.
  it('names an infinite or not-a-number value as YAML writes it', () => {
    const text = 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: .inf, parallelism: -1e400 }\nvalidate: { max_rejects: .NaN }\n';
    expect(lines(text)).toEqual([
      'p.yaml:3:16 batch.size: expected number, got .inf (infinity)',
      'p.yaml:3:35 batch.parallelism: expected number, got -.inf (infinity)',
      'p.yaml:4:26 validate.max_rejects: does not match any allowed form, got .nan (not a number)',
    ]);
  });

  // "columns: does not match any allowed form, got a map" did not say which column, nor what was wrong.
  it('says a column with an empty name needs one, at that column', () => {
    const text = 'source: { connection: users }\ntarget: { file: out.csv }\ncolumns:\n  email: email\n  "": "1"\n';
    expect(lines(text)).toEqual(['p.yaml:5:3 columns.: invalid name "": a column needs a name']);
  });

  it('reports wrong types and values at the value', () => {
    const text = `source:
  file: users.csv
  format: xml
target:
  connection: users
  upsert: "yes"
  metadata: overwrite
batch: { size: 0, parallelism: many }
`;
    expect(lines(text)).toEqual([
      'p.yaml:3:11 source.format: expected one of "csv", "json", "ndjson", got "xml"',
      'p.yaml:6:11 target.upsert: expected boolean, got "yes" (YAML 1.2 reads yes/no/on/off as text: write true or false)',
      'p.yaml:7:13 target.metadata: expected one of "merge", "replace", got "overwrite"',
      'p.yaml:8:16 batch.size: expected a value >= 1, got 0',
      'p.yaml:8:32 batch.parallelism: expected number, got "many"',
    ]);
  });

  it('refuses a name too long for the job folders named by it, at the name, before any run', () => {
    expect(lines(`name: ${'a'.repeat(100)}\n${valid}`)).toEqual([]);
    expect(lines(`name: ${'a'.repeat(101)}\n${valid}`)).toEqual([`p.yaml:1:7 name: expected at most 100 character(s), got "${'a'.repeat(101)}"`]);
  });

  it('reports missing required keys at the map that lacks them', () => {
    expect(lines('source:\n  file: a.csv\n')).toEqual(['p.yaml:1:1 target: missing required key "target"']);
    const text = `${valid}validate:\n  rules:\n    - message: no check\n`;
    expect(lines(text)).toEqual(['p.yaml:7:7 validate.rules[0].check: missing required key "check"']);
  });

  it('points JSONata syntax errors inside the expression (plain, quoted and block scalars)', () => {
    const text = `${valid}columns:
  email: $lowercase(Email
  plan: "Plan +* 2"
  name: 'First & '
validate:
  rules:
    - check: |
        $length(email) >
      message: too long
`;
    expect(lines(text)).toEqual([
      'p.yaml:6:26 columns.email: JSONata S0203: Expected ")" before end of expression',
      'p.yaml:7:18 columns.plan: JSONata S0201: Syntax error: 2',
      'p.yaml:8:18 columns.name: JSONata S0207: Unexpected end of expression',
      'p.yaml:12:25 validate.rules[0].check: JSONata S0207: Unexpected end of expression',
    ]);
  });

  it('points a syntax error on an indented line of a block scalar at its character', () => {
    const text = `${valid}columns:
  email: email
  name: |
    (
      $a := email;
      $b := $a &;
      $b
    )
  nickname: >-
    $uppercase(
      name ~> )
`;
    expect(lines(text)).toEqual([
      'p.yaml:10:17 columns.name: JSONata S0211: The symbol ";" cannot be used as a unary operator',
      'p.yaml:15:15 columns.nickname: JSONata S0211: The symbol ")" cannot be used as a unary operator',
    ]);
  });

  it('reports every problem of a file in one run, sorted by position', () => {
    const text = `source:
  file: a.csv
  extra: 1
target:
  connection: users
  upsert: maybe
columns:
  email: Email +
schedule: "61 * * * *"
timezone: Mars/Olympus
`;
    const found = lines(text);
    expect(found).toHaveLength(5);
    expect(found.map((l) => l.split(' ')[0])).toEqual(['p.yaml:3:3', 'p.yaml:6:11', 'p.yaml:8:17', 'p.yaml:9:11', 'p.yaml:10:11']);
    expect(found[3]).toContain('schedule: invalid cron expression');
    expect(found[4]).toBe('p.yaml:10:11 timezone: unknown time zone "Mars/Olympus"');
  });

  it.each([
    ['0 2 30 2 *', '30 February'],
    ['0 2 31 4 *', '31 April'],
  ])('refuses a schedule that never runs: "%s" (%s)', (cron) => {
    expect(lines(`source: { file: a.csv }\ntarget: { connection: users }\nschedule: "${cron}"\n`)).toEqual([
      `p.yaml:3:11 schedule: cron expression "${cron}" never runs: no date matches it`,
    ]);
  });

  it.each(['0 0 2 ? * *', '0 2 * * ?', '? * * * *'])('refuses "?" in a schedule: croner puts the time it reads the cron there, not "any" (%s)', (cron) => {
    expect(lines(`source: { file: a.csv }\ntarget: { connection: users }\nschedule: "${cron}"\n`)).toEqual([
      `p.yaml:3:11 schedule: "?" in a cron expression would stand for the time ferry serve starts (croner), not for any value: write * instead`,
    ]);
  });

  it('accepts a schedule that runs only in leap years (29 February)', () => {
    expect(lines('source: { file: a.csv }\ntarget: { connection: users }\nschedule: "0 2 29 2 *"\n')).toEqual([]);
  });

  it('checks how fields fit together', () => {
    expect(lines('source: { file: a.csv }\ntarget: { file: b.json }\n')).toEqual([
      'p.yaml:2:9 target: a pipeline reads from or writes to a connection; file to file is not supported',
    ]);
    expect(lines(`${valid}  key: [email, username]\ncolumns:\n  email: Email\n`)).toEqual([
      'p.yaml:5:8 target.key: key column "username" is not mapped in columns',
    ]);
  });

  it('accepts an export with a query, sort, default columns and a schedule', () => {
    const text = `source:
  connection: users
  query: '_exists_:nickname AND user_metadata.plan:pro'
  sort: { by: created_at, order: desc }
target:
  file: ../exports/users-{date}.csv
columns: defaults
schedule: "0 2 * * *"
timezone: Europe/Paris
`;
    const { pipeline, diagnostics } = parsePipeline('e.yaml', text);
    expect(diagnostics).toEqual([]);
    expect(pipeline?.columns).toBe('defaults');
    expect(pipeline?.source).toMatchObject({ connection: 'users', sort: { by: 'created_at', order: 'desc' } });
  });

  it('rejects a file that is not a map', () => {
    expect(lines('- a\n- b\n')).toEqual(['p.yaml:1:1 a pipeline file must be a YAML map with source and target']);
  });

  it('keeps a column named __proto__, in its place, for the checks against the table', () => {
    const text = `${valid}columns:\n  email: email\n  __proto__: name\n  constructor: name\n`;
    const { pipeline, diagnostics } = parsePipeline('p.yaml', text);
    expect(diagnostics).toEqual([]);
    const columns = pipeline?.columns as Record<string, string>;
    expect(Object.entries(columns)).toEqual([
      ['email', 'email'],
      ['__proto__', 'name'],
      ['constructor', 'name'],
    ]);
    const table = { name: 'users', columns: ['email', 'name'] };
    expect(checkTargetColumns(parseYamlFile('p.yaml', text), columns, table).map(formatDiagnostic)).toEqual([
      'p.yaml:7:3 columns.__proto__: table users has no column "__proto__"; its columns: email, name',
      'p.yaml:8:3 columns.constructor: table users has no column "constructor"; its columns: email, name',
    ]);
    expect(lines(`${valid}columns:\n  email: email\n  __proto__: 5\n`)).toEqual([
      "p.yaml:7:14 columns.__proto__: expected a JSONata expression string, got number 5 (quote it to map a constant: '5')",
    ]);
  });

  it('says a column value must be an expression string, at the value', () => {
    expect(lines(`${valid}columns:\n  email: 5\n  name: [a]\n  nickname: false\n  x: null\n  ok: Email\n`)).toEqual([
      "p.yaml:6:10 columns.email: expected a JSONata expression string, got number 5 (quote it to map a constant: '5')",
      "p.yaml:7:9 columns.name: expected a JSONata expression string, got a list: quote this value, e.g.  name: '[a]'",
      "p.yaml:8:13 columns.nickname: expected a JSONata expression string, got boolean false (quote it to map a constant: 'false')",
      'p.yaml:9:6 columns.x: expected a JSONata expression string, got nothing (null)',
    ]);
  });

  it('refuses unknown placeholders in an output path, at each one', () => {
    const exp = (file: string) => `source:\n  connection: users\ntarget:\n  file: ${file}\n`;
    expect(lines(exp('out/{date}-{job}.csv'))).toEqual([]);
    expect(lines(exp('"out/{date}-{dat}/{ job }.csv"'))).toEqual([
      'p.yaml:4:21 target.file: unknown placeholder {dat}: an output path may use {date} and {job}',
      'p.yaml:4:27 target.file: unknown placeholder { job }: an output path may use {date} and {job}',
    ]);
    expect(lines(exp('out/{}.csv'))).toEqual(['p.yaml:4:13 target.file: unknown placeholder {}: an output path may use {date} and {job}']);
  });

  // Validate said ok; the job read every record, then failed opening the file ("must be a string … without null bytes").
  it('refuses a NUL character in an output path, at the path', () => {
    const exp = (file: string) => `source:\n  connection: users\ntarget:\n  file: ${file}\n`;
    expect(lines(exp('"out/users\\0.csv"'))).toEqual(['p.yaml:4:9 target.file: an output path cannot hold a NUL character (\\0)']);
    expect(lines(exp('"out/users\\x00-{date}.csv"'))).toEqual(['p.yaml:4:9 target.file: an output path cannot hold a NUL character (\\0)']);
  });
});

/*
 * A file under the 1 MiB limit can hold tens of thousands of keys. The parser's repeated-key check
 * compared each key with every one before it, each diagnostic searched its map from the start, and
 * each "did you mean" allocated a table per known name: 40,000 unknown keys took 35 s, 80,000
 * columns held `ferry validate` for more than 10 minutes.
 */
describe('a pipeline of very many keys', () => {
  const head = 'source: { file: u.csv }\ntarget: { connection: users, key: [email] }\n';

  it('is checked in linear time: 40,000 unknown keys, each said at its line, in seconds', () => {
    const text = head + Array.from({ length: 40_000 }, (_, i) => `k${i}: 1\n`).join('') + 'k7: 2\n';
    const started = Date.now();
    const diagnostics = parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(diagnostics).toEqual(['p.yaml:40003:1 duplicate key k7: a key appears once in a map (the later one would replace the first)']);
    const unknown = parsePipeline('p.yaml', text.slice(0, -'k7: 2\n'.length)).diagnostics.map(formatDiagnostic);
    expect(unknown).toHaveLength(40_000);
    expect(unknown[39_999]).toBe('p.yaml:40002:1 k39999: unknown key "k39999"');
  }, 60_000);

  it('maps at most 2,000 columns: more is refused once, at columns', () => {
    const columns = Array.from({ length: 2001 }, (_, i) => `  c${i}: a\n`).join('');
    expect(parsePipeline('p.yaml', `${head}columns:\n${columns}`).diagnostics.map(formatDiagnostic)).toEqual([
      "p.yaml:3:1 columns: 2001 columns: a pipeline maps at most 2000 (SQLite's most columns in a table; PostgreSQL's is 1,600)",
    ]);
  });
});

describe('a field missing from a very wide header', () => {
  it('lists the first 30 columns, each shortened, and how many more there are', () => {
    const text = `${valid}columns:\n  email: mail\n`;
    const names = [`${'w'.repeat(500)}`, ...Array.from({ length: 999_999 }, (_, i) => `c${i}`)];
    const [message, ...more] = checkSourceFields(parseYamlFile('p.yaml', text), { email: 'mail' }, { kind: 'header', file: 'wide.csv', names }).map(
      formatDiagnostic,
    );
    expect(more).toEqual([]);
    expect(message).toBe(
      `p.yaml:6:10 columns.email: field mail is not in the header of wide.csv; its columns: ${'w'.repeat(80)}…, ${names
        .slice(1, 30)
        .join(', ')} and 999970 more`,
    );
  });
});
