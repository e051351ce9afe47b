import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parseYamlFile, plainValue } from '../../../src/spec/yaml-document.js';

/** The file's syntax errors, else why it has no plain value. */
const errors = (text: string): string[] => {
  const y = parseYamlFile('p.yaml', text);
  const plain = plainValue(y);
  return [...y.syntaxErrors, ...('diagnostics' in plain ? plain.diagnostics : [])].map(formatDiagnostic);
};

describe('YAML errors on long lines', () => {
  it('says a key over 1024 characters is too long, not that its { … } value needs quoting', () => {
    const lines = errors(`connections:\n  ${'k'.repeat(5000)}: { driver: sqlite, path: x.db }\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('quote this value');
    expect(lines[0]).toContain('1024');
    expect(lines[0]!.length).toBeLessThan(400);
  });

  it('shortens the key and value a quoting hint shows', () => {
    for (const value of [`*${'x'.repeat(1 << 20)}`, `{ file: a{${'x'.repeat(1 << 20)}}.csv }`, `a: ${'b'.repeat(1 << 20)}`]) {
      const lines = errors(`columns:\n  email: ${value}\n`);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.length).toBeLessThan(400);
    }
  });

  it('shortens a long key said twice', () => {
    const key = 'k'.repeat(1 << 20);
    const lines = errors(`columns:\n  ? ${key}\n  : a\n  ? ${key}\n  : b\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`duplicate key ${'k'.repeat(40)}`);
    expect(lines[0]!.length).toBeLessThan(400);
  });
});
