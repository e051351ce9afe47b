import { describe, expect, it } from 'vitest';
import { parseTestFile } from '../../../src/pipeline-test/cases.js';

describe('a test file', () => {
  const file = 'users.test.yaml';

  it('refuses a value a YAML tag made that no source record holds (bytes, a set, a date, an ordered map), each at its place', () => {
    const text = [
      'tests:',
      '  - name: tagged',
      '    input: { email: a@b.co, photo: !!binary aGVsbG8=, roles: !!set { admin } }',
      '    expect: { row: { email: a@b.co, seen: [1, !!timestamp 2001-12-14], order: !!omap [ { a: 1 } ] } }',
      '',
    ].join('\n');
    const { cases, diagnostics } = parseTestFile(file, text);
    expect(cases).toEqual([]);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message.split(':')[0]}`)).toEqual([
      '3:45 tests[0].input.photo: !!binary made a value no source record holds (bytes)',
      '3:68 tests[0].input.roles: !!set made a value no source record holds (a set)',
      '4:59 tests[0].expect.row.seen[1]: !!timestamp made a value no source record holds (a date object)',
      '4:86 tests[0].expect.row.order: !!omap made a value no source record holds (an ordered map)',
    ]);
  });

  it('takes explicit tags that make plain values, and quoted text', () => {
    const text = 'tests:\n  - name: plain\n    input: { email: !!str a@b.co, n: !!int "12", when: "2001-12-14" }\n    expect: { row: { email: a@b.co } }\n';
    const { cases, diagnostics } = parseTestFile(file, text);
    expect(diagnostics).toEqual([]);
    expect(cases[0]?.input).toEqual({ email: 'a@b.co', n: 12, when: '2001-12-14' });
  });
});
