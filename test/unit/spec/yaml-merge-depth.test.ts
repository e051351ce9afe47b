import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

const head = 'source: { file: u.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n';

describe('YAML Ferry does not read, said precisely', () => {
  // YAML 1.2 has no merge key: `<<` was an unknown key, and its map "did not match any allowed form".
  it('a merge key <<, in a pipeline and in ferry.yaml, at the key', () => {
    const pipeline = 'base: &b { connection: users, key: [email] }\nsource: { file: u.csv }\ntarget:\n  <<: *b\ncolumns: { email: email }\n';
    const merge = 'YAML merge keys (<<) are not supported (Ferry reads YAML 1.2, which has none): write the keys out in this map';
    expect(parsePipeline('p.yaml', pipeline).diagnostics.map(formatDiagnostic)).toEqual([`p.yaml:4:3 ${merge}`]);
    const config = 'connections:\n  a: &x { driver: sqlite, path: a.db }\n  b:\n    <<: *x\n    path: b.db\n';
    expect(parseConfig('ferry.yaml', config, {}).diagnostics.map(formatDiagnostic)).toEqual([`ferry.yaml:4:5 ${merge}`]);
  });

  // The directive switched the parser to 1.1: `<<` merged silently (its check saw no "<<" key), 010 was 8, a key y: was "true".
  it('a %YAML 1.1 directive, in a pipeline and in ferry.yaml, at the directive', () => {
    const older = '%YAML 1.1: Ferry reads YAML 1.2 only (in 1.1, yes/no/on/off, 010, 1:20, dates and << mean other things): remove this line';
    const pipeline =
      '%YAML 1.1\n---\nsource: { file: u.csv }\ntarget:\n  <<: { connection: users }\n  key: [email]\ncolumns: { email: email }\nvalidate: { max_rejects: 010 }\n';
    expect(parsePipeline('p.yaml', pipeline).diagnostics.map(formatDiagnostic)).toEqual([`p.yaml:1:1 ${older}`]);
    const config = '# settings\n%YAML 1.1\n---\nconnections:\n  a: { driver: sqlite, path: a.db }\n';
    expect(parseConfig('ferry.yaml', config, {}).diagnostics.map(formatDiagnostic)).toEqual([`ferry.yaml:2:1 ${older}`]);
    expect(parsePipeline('p.yaml', `%YAML 1.2\n---\n${head}`).diagnostics).toEqual([]);
  });

  it('a quoted "<<" is an ordinary key (here an unknown one)', () => {
    expect(parsePipeline('p.yaml', `${head}"<<": 1\n`).diagnostics.map(formatDiagnostic)).toEqual(['p.yaml:4:1 <<: unknown key "<<"']);
  });

  // `? [a, b]` became the key "[ a, b ]" with the parser's warning on stderr; `~:` "did not match any allowed form".
  it('a key that is a list, a map or empty, at the key', () => {
    const text = `${head.replace('columns: { email: email }\n', 'columns:\n  email: email\n  ? [a, b]\n  : name\n  ~: name\n')}`;
    expect(parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:5:5 a key here is a list or a map: a key is a name (quote it if it is meant as text)',
      'p.yaml:7:3 this key is empty (YAML reads ~, null or nothing as no key): write a name, quoted if it is "null"',
    ]);
  });

  // The parser recurses per level and said "Maximum call stack size exceeded".
  it.each([
    ['block maps', (depth: number) => `x:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}a:\n`).join('')}${' '.repeat(depth + 1)}1\n`],
    ['flow lists', (depth: number) => `x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`],
  ])('nesting too deep to parse (%s), at its place', (_, nested) => {
    const diagnostics = parsePipeline('p.yaml', head + nested(5000)).diagnostics;
    expect(diagnostics).toHaveLength(1);
    expect(formatDiagnostic(diagnostics[0]!)).toMatch(
      /^p\.yaml:\d+:\d+ the YAML nests too deeply here for the parser to read \(hundreds of levels of maps or lists\): a Ferry file needs a few$/,
    );
  });
});
