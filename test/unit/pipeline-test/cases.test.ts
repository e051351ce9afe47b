import { describe, expect, it } from 'vitest';
import { parseTestFile } from '../../../src/pipeline-test/cases.js';

describe('a test file', () => {
  const file = 'users.test.yaml';

  it('refuses a YAML 1.1 tag that would make a value no source record holds (bytes, a set, a date, an ordered map), each at its tag', () => {
    const text = [
      'tests:',
      '  - name: tagged',
      '    input: { email: a@b.co, photo: !!binary aGVsbG8=, roles: !!set { admin } }',
      '    expect: { row: { email: a@b.co, seen: [1, !!timestamp 2001-12-14], order: !!omap [ { a: 1 } ] } }',
      '',
    ].join('\n');
    const { cases, diagnostics } = parseTestFile(file, text);
    expect(cases).toEqual([]);
    // As in a pipeline or ferry.yaml (yaml-document.ts): the parser no longer makes a Buffer, Set, Date or Map of them.
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message.split(':')[0]}`)).toEqual([
      '3:36 unknown YAML tag !!binary',
      '3:62 unknown YAML tag !!set',
      '4:47 unknown YAML tag !!timestamp',
      '4:79 unknown YAML tag !!omap',
    ]);
  });

  it('takes explicit tags that make plain values, and quoted text', () => {
    const text = 'tests:\n  - name: plain\n    input: { email: !!str a@b.co, n: !!int "12", when: "2001-12-14" }\n    expect: { row: { email: a@b.co } }\n';
    const { cases, diagnostics } = parseTestFile(file, text);
    expect(diagnostics).toEqual([]);
    expect(cases[0]?.input).toEqual({ email: 'a@b.co', n: 12, when: '2001-12-14' });
  });
});
