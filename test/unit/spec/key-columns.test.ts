import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

describe('target.key names mapped columns', () => {
  it('refuses a key that is a name of every object (toString, constructor) but not a mapped column', () => {
    for (const key of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const text = `source:\n  file: u.csv\ntarget:\n  connection: users\n  key: [${key}]\ncolumns:\n  email: email\n`;
      expect(parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([`p.yaml:5:8 target.key: key column "${key}" is not mapped in columns`]);
    }
  });

  it('takes such a key when it is mapped', () => {
    const text = `source:\n  file: u.csv\ntarget:\n  connection: users\n  key: [constructor]\ncolumns:\n  constructor: email\n`;
    expect(parsePipeline('p.yaml', text).diagnostics).toEqual([]);
  });
});
