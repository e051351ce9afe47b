import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

/** ferry.yaml as `ferry init` writes it (a comment first), with a PostgreSQL connection. */
const config = [
  '# Ferry project settings',
  'engine: embedded',
  'state_dir: .state',
  'connections:',
  '  users: { driver: postgres, url: "postgres://app@db/crm", table: app_users }',
  '',
].join('\n');

const pipeline = ['# imports users', 'source: { file: data/users.csv }', 'target: { connection: users, key: [email] }', 'columns: { email: email }', ''].join(
  '\n',
);

/** What a UTF-16 file (with its byte order mark) becomes when read as UTF-8, as every reader of Ferry reads it. */
function asUtf16ReadAsUtf8(text: string, bom = true): string {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]).toString('utf8');
}

describe('line endings of YAML files', () => {
  // The parser took a lone-CR file for one line: a first-line comment swallowed the whole file, and
  // ferry.yaml read as empty, so the default SQLite connection silently replaced the PostgreSQL one.
  it('reads a ferry.yaml with lone CR line endings (classic Mac) as written, not as an empty config', () => {
    const parsed = parseConfig('ferry.yaml', config.replaceAll('\n', '\r'), {});
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config?.state_dir).toBe('.state');
    expect(parsed.config?.connections['users']).toMatchObject({ driver: 'postgres', table: 'app_users' });
  });

  it('reads a pipeline with lone CR line endings, and positions its errors on the right line', () => {
    expect(parsePipeline('p.yaml', pipeline.replaceAll('\n', '\r')).diagnostics).toEqual([]);
    const broken = parsePipeline('p.yaml', pipeline.replace('key: [email]', 'key: [email], upsrt: true').replaceAll('\n', '\r'));
    expect(broken.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^p\.yaml:3:\d+ target\.upsrt: unknown key "upsrt"/)]);
  });

  it('reads CRLF and mixed line endings', () => {
    expect(parseConfig('ferry.yaml', config.replaceAll('\n', '\r\n'), {}).config?.state_dir).toBe('.state');
    expect(parsePipeline('p.yaml', pipeline.replace('\n', '\r\n').replace('\n', '\r')).diagnostics).toEqual([]);
  });
});

describe('files that are not UTF-8 text', () => {
  it.each([
    ['with', true],
    ['without', false],
  ])('says a UTF-16 ferry.yaml (%s byte order mark) is UTF-16, at 1:1', (_, bom) => {
    const parsed = parseConfig('ferry.yaml', asUtf16ReadAsUtf8(config, bom), {});
    expect(parsed.config).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual(['ferry.yaml:1:1 the file is UTF-16 text; Ferry reads YAML as UTF-8: save it as UTF-8']);
  });

  it('says a UTF-16 pipeline is UTF-16, not that it is no map', () => {
    expect(parsePipeline('p.yaml', asUtf16ReadAsUtf8(pipeline)).diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:1:1 the file is UTF-16 text; Ferry reads YAML as UTF-8: save it as UTF-8',
    ]);
  });

  it('points at a stray NUL character', () => {
    expect(parsePipeline('p.yaml', pipeline.replace('email }', 'em\u0000ail }')).diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:4:21 the file holds a NUL character: it is not YAML text; Ferry reads YAML as UTF-8: save it as UTF-8',
    ]);
  });
});

// Both were answered with "quote this value" on the line's { … }, which fixes neither.
describe('errors that quoting does not fix', () => {
  it('names a duplicate key, block or flow, at its second occurrence', () => {
    const twice = parsePipeline('p.yaml', `${pipeline}target: { connection: users, key: [email] }\n`);
    expect(twice.diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:5:1 duplicate key target: a key appears once in a map (the later one would replace the first)',
    ]);
    expect(parseConfig('ferry.yaml', 'connections: { a: { driver: sqlite, path: a.db, "path": b.db } }\n', {}).diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:1:49 duplicate key "path": a key appears once in a map (the later one would replace the first)',
    ]);
  });

  it('names an unknown tag inside a { … } map at the tag, and keeps the quoting hint for a block value', () => {
    const tagged = parsePipeline('p.yaml', 'source: { file: !!js/function "x" }\ntarget:\n  connection: !custom users\n');
    expect(tagged.diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:1:17 unknown YAML tag !!js/function: Ferry files hold plain values (quote the value when the ! is part of the text)',
      // the value of a block entry keeps its hint: the ! of a JSONata expression is quoted
      "p.yaml:3:15 YAML reads a value starting with ! as a tag (!name), not as text: quote this value, e.g.  connection: '!custom users'",
    ]);
  });

  it("names YAML 1.1's typed tags (!!binary, !!set, !!timestamp, !!omap) as tags, not as a map or a Buffer's keys", () => {
    const text =
      'source: !!binary dXNlcnMuY3N2\ntarget: { connection: users, key: !!set { email } }\nbatch: { size: !!timestamp 2001-12-14 }\ncolumns: !!omap [ { email: email } ]\n';
    expect(parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([
      "p.yaml:1:9 YAML reads a value starting with ! as a tag (!name), not as text: quote this value, e.g.  source: '!!binary dXNlcnMuY3N2'",
      'p.yaml:2:35 unknown YAML tag !!set: Ferry files hold plain values (quote the value when the ! is part of the text)',
      'p.yaml:3:16 unknown YAML tag !!timestamp: Ferry files hold plain values (quote the value when the ! is part of the text)',
      "p.yaml:4:10 YAML reads a value starting with ! as a tag (!name), not as text: quote this value, e.g.  columns: '!!omap [ { email: email } ]'",
    ]);
    expect(parseConfig('ferry.yaml', 'connections: { a: { driver: sqlite, path: !!binary YS5kYg== } }\n', {}).diagnostics.map(formatDiagnostic)).toEqual([
      'ferry.yaml:1:43 unknown YAML tag !!binary: Ferry files hold plain values (quote the value when the ! is part of the text)',
    ]);
  });
});

describe('an alias bomb', () => {
  it('is said in Ferry words at its first alias, not as the parser\'s "resource exhaustion attack"', () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries())
      rows.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`);
    const text = `${rows.join('\n')}\nsource: { file: users.csv }\ntarget: { connection: users }\n`;
    expect(parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:2:8 these aliases (*name) expand to more values than the parser allows: aliases of lists of aliases grow the file exponentially (an alias bomb); a Ferry file needs none, write the values out',
    ]);
  });
});

// Written for a YAML 1.1 tool, these were refused as "expected boolean, got "yes"" with no word of why.
describe('YAML 1.1 spellings', () => {
  it('says YAML 1.2 reads yes/no/on/off, 1_000 and 1:20 as text, and what to write', () => {
    const text = 'source: { file: a.csv }\ntarget: { connection: users, key: [email], upsert: yes }\nbatch: { size: 1_000, parallelism: 1:20 }\n';
    expect(parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:2:52 target.upsert: expected boolean, got "yes" (YAML 1.2 reads yes/no/on/off as text: write true or false)',
      'p.yaml:3:16 batch.size: expected number, got "1_000" (YAML 1.2 reads 1_000, 0b101 and 1:20 as text: write the plain number, e.g. 1000)',
      'p.yaml:3:36 batch.parallelism: expected number, got "1:20" (YAML 1.2 reads 1_000, 0b101 and 1:20 as text: write the plain number, e.g. 1000)',
    ]);
  });

  it('adds nothing to other wrong values', () => {
    const text = 'source: { file: a.csv }\ntarget: { connection: users, key: [email], upsert: maybe }\nbatch: { size: lots }\n';
    expect(parsePipeline('p.yaml', text).diagnostics.map((d) => d.message)).toEqual(['expected boolean, got "maybe"', 'expected number, got "lots"']);
  });
});
