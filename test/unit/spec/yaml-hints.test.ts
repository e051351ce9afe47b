import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

const lines = (text: string): string[] => parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic);
const pipeline = (columns: string): string => `source: { file: u.csv }\ntarget: { connection: users }\ncolumns:\n${columns}\n`;

/** Issue 20: these gave raw parser errors ("Plain value cannot start with reserved character `"). */
// A tab before a key said "Tabs are not allowed as indentation" and two more errors; before a block
// scalar's text, "must use an explicit indentation indicator" and a "duplicate key" of its own key.
describe('a line indented with a tab', () => {
  it.each([
    ['a key', '  email: email\n\tname: name', 'p.yaml:5:1'],
    ['a block scalar', '  email: email\n  name: >\n\tname', 'p.yaml:6:1'],
    ['a key after spaces', '  email: email\n  \tname: name', 'p.yaml:5:3'],
  ])('%s: one message at the tab', (_name, columns, at) => {
    expect(lines(pipeline(columns))).toEqual([`${at} this line is indented with a tab: YAML indents with spaces only`]);
  });

  it('leaves tabs where YAML takes them: after a colon, inside { … }, before a comment', () => {
    expect(lines('source:\t{ file: u.csv }\ntarget: {\tconnection: users }\ncolumns:\n  email:\temail\t# c\n')).toEqual([]);
  });
});

describe('YAML that needs quoting', () => {
  it('leaves a quoted value followed by a comment alone', () => {
    expect(lines(pipeline('  name: \'Mr \' # a comment\n  email: "email"   '))).toEqual([]);
  });

  it.each([
    [
      'a header with spaces in backticks',
      '  email: `Email Address`',
      "p.yaml:4:10 YAML reads a value starting with ` as a reserved character, not as text: quote this value, e.g.  email: '`Email Address`'",
    ],
    // JSONata's concatenation after a quoted string: the parser said "Unexpected anchor at node end", twice.
    [
      'a single-quoted string followed by more',
      "  name: 'Mr ' & last_name",
      `p.yaml:4:9 YAML reads the quoted 'Mr ' as the whole value, and cannot read the "& last_name" after it: quote this value, e.g.  name: "'Mr ' & last_name"`,
    ],
    [
      'a double-quoted string followed by more',
      '  name: "Mr " & last_name & "!"',
      `p.yaml:4:9 YAML reads the quoted "Mr " as the whole value, and cannot read the "& last_name & \\"!\\"" after it: quote this value, e.g.  name: '"Mr " & last_name & "!"'`,
    ],
    ['@', '  email: @Email', "p.yaml:4:10 YAML reads a value starting with @ as a reserved character, not as text: quote this value, e.g.  email: '@Email'"],
    ['%', '  email: %Email', "p.yaml:4:10 YAML reads a value starting with % as a directive, not as text: quote this value, e.g.  email: '%Email'"],
    ['!', '  email: !Email', "p.yaml:4:10 YAML reads a value starting with ! as a tag (!name), not as text: quote this value, e.g.  email: '!Email'"],
    [
      '|',
      '  email: | Email',
      "p.yaml:4:10 YAML reads a value starting with | as the start of a block of text, not as text: quote this value, e.g.  email: '| Email'",
    ],
    [
      '[ followed by more',
      '  tags: [Tag1, Tag2][0]',
      "p.yaml:4:9 YAML reads a value starting with [ as a list, not as text: quote this value, e.g.  tags: '[Tag1, Tag2][0]'",
    ],
    [
      '{ followed by more',
      '  user_metadata: {"plan": Plan}.plan',
      'p.yaml:4:18 YAML reads a value starting with { as a map, not as text: quote this value, e.g.  user_metadata: \'{"plan": Plan}.plan\'',
    ],
  ])('%s', (_name, column, expected) => {
    expect(lines(pipeline(column))).toEqual([expected]);
  });

  it(': inside a value (the parser then also misses a closing quote)', () => {
    expect(lines(pipeline('  name: First & ": " & Last'))[0]).toBe(
      'p.yaml:4:9 YAML reads ": " inside a plain value as a new key: quote this value, e.g.  name: \'First & ": " & Last\'',
    );
  });

  it('{job} inside a flow map', () => {
    expect(lines('source: { file: u.csv }\ntarget: { file: out/users-{job}.csv }\n')).toEqual([
      "p.yaml:2:17 inside a { … } map, { and } are YAML's own: quote this value, e.g.  file: 'out/users-{job}.csv'",
    ]);
  });

  it('${VAR} inside a flow map: the example keeps its closing brace, and a blank inside the braces', () => {
    const config = (path: string): string[] =>
      parseConfig('ferry.yaml', `connections:\n  users: { driver: sqlite, path: ${path} }\n`, {}).diagnostics.map(formatDiagnostic);
    expect(config('${DBPATH}')).toEqual(["ferry.yaml:2:34 inside a { … } map, { and } are YAML's own: quote this value, e.g.  path: '${DBPATH}'"]);
    expect(config('${DB PATH}')).toEqual(["ferry.yaml:2:34 inside a { … } map, { and } are YAML's own: quote this value, e.g.  path: '${DB PATH}'"]);
    expect(lines('source: { file: u.csv }\ntarget: { file: out/{job}.csv}\n')).toEqual([
      "p.yaml:2:17 inside a { … } map, { and } are YAML's own: quote this value, e.g.  file: 'out/{job}.csv'",
    ]);
  });

  it('a value YAML reads as a map, a list, an anchor or an alias', () => {
    expect(lines(pipeline('  user_metadata: {"plan": Plan}'))).toEqual([
      'p.yaml:4:18 columns.user_metadata: expected a JSONata expression string, got a map: quote this value, e.g.  user_metadata: \'{"plan": Plan}\'',
    ]);
    expect(lines(pipeline('  tags: [Tag1, Tag2]'))).toEqual([
      "p.yaml:4:9 columns.tags: expected a JSONata expression string, got a list: quote this value, e.g.  tags: '[Tag1, Tag2]'",
    ]);
    expect(lines(pipeline('  email: &Email'))).toEqual([
      "p.yaml:4:10 columns.email: expected a JSONata expression string, got nothing (null): quote this value, e.g.  email: '&Email'",
    ]);
    expect(lines(pipeline('  email: *Email'))).toEqual([
      "p.yaml:4:10 YAML reads a value starting with * as an alias (*name), not as text: quote this value, e.g.  email: '*Email'",
    ]);
  });

  it("other syntax errors keep the parser's message", () => {
    expect(lines('source: { file: u.csv\n')).toEqual(['p.yaml:2:1 Flow map in block collection must be sufficiently indented and end with a }']);
  });
});
