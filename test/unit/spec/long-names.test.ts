import { describe, expect, it } from 'vitest';
import { checkSourceFields } from '../../../src/spec/check-references.js';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
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
