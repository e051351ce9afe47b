import { describe, expect, it } from 'vitest';
import { checkSourceFields, checkTargetColumns } from '../../../src/spec/check-references.js';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';
import { parseYamlFile } from '../../../src/spec/yaml-document.js';

const valid = `source:\n  file: users.csv\ntarget:\n  connection: users\n`;

describe('names of any length in diagnostics', () => {
  it('shortens a one-column header that holds another separator', () => {
    const header = `email;${'n'.repeat(10_000_000)}`;
    const text = `${valid}columns:\n  email: mail\n`;
    const [message, ...more] = checkSourceFields(parseYamlFile('p.yaml', text), { email: 'mail' }, { kind: 'header', file: 'one.csv', names: [header] }).map(
      formatDiagnostic,
    );
    expect(more).toEqual([]);
    expect(message!.length).toBeLessThan(400);
    expect(message).toContain(`the header is one column, \`email;${'n'.repeat(50)}`);
    expect(message).toContain('set source.csv.delimiter: ";"');
  });
});

describe('a field written with an accent the CSV header writes otherwise', () => {
  it('says the two look the same and shows each one code point by code point', () => {
    const text = `${valid}columns:\n  name: "name\u0301"\n`;
    const found = checkSourceFields(parseYamlFile('p.yaml', text), { name: 'name\u0301' }, { kind: 'header', file: 'u.csv', names: ['email', 'nam\u00e9'] });
    expect(found.map(formatDiagnostic)).toEqual([
      'p.yaml:6:10 columns.name: field `name\u0301` is not in the header of u.csv, which has `nam\u00e9`: the two look the same but write an accent differently, composed (é) or as a letter and a combining mark (e + U+0301): "name\\u0301" here, "nam\\u00e9" in the file. Hint: write the field as the file does',
    ]);
  });
});

describe('long keys and names from the file, shortened where a diagnostic shows them', () => {
  const long = 'k'.repeat(1 << 20);
  const short = (lines: string[]): void => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.length).toBeLessThan(600);
      expect(line).toContain(`${'k'.repeat(40)}…`);
    }
  };
  const pipeline = (more: string): string[] => parsePipeline('p.yaml', `${valid}${more}`).diagnostics.map(formatDiagnostic);

  it('an unknown key, at the top or below', () => {
    short(pipeline(`? ${long}\n: 1\n`));
    short(pipeline(`columns: { email: email }\nvalidate:\n  ? ${long}\n  : 1\n`));
  });

  it('a key column that is not mapped', () => {
    const lines = parsePipeline(
      'p.yaml',
      `source:\n  file: users.csv\ntarget:\n  connection: users\n  key: [${long}]\ncolumns: { email: email }\n`,
    ).diagnostics.map(formatDiagnostic);
    short(lines);
  });

  it('a column the table does not have, and a field the header does not have', () => {
    const text = `${valid}columns:\n  ? ${long}\n  : email\n  email: ${long}\n`;
    const columns = { [long]: 'email', email: long };
    short(checkTargetColumns(parseYamlFile('p.yaml', text), columns, { name: 'users', columns: ['email', 'name'] }).map(formatDiagnostic));
    short(checkSourceFields(parseYamlFile('p.yaml', text), columns, { kind: 'header', file: 'u.csv', names: ['email'] }).map(formatDiagnostic));
    short(checkSourceFields(parseYamlFile('p.yaml', text), columns, { kind: 'sample', file: 'u.json', records: [{ email: 'a@x.io' }] }).map(formatDiagnostic));
  });

  it("a connection's name in ferry.yaml", () => {
    const config = (more: string): string[] => parseConfig('ferry.yaml', `connections:\n${more}`, {}).diagnostics.map(formatDiagnostic);
    short(config(`  ? ${long}\n  : { driver: nope }\n`));
    short(config(`  ? x y${long}\n  : { driver: sqlite, path: y.db }\n`));
    short(config(`  ? ${long}\n  : { driver: sqlite }\n`));
  });
});
