import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileFormats } from '../../../src/spec/pipeline-schema.js';
import { formatFromPath, sourceFor, sources } from '../../../src/sources/index.js';

/** The hand-written registry (STYLE.md rule 7): every source file is in it, by its own name. */
const sourcesDir = new URL('../../../src/sources/', import.meta.url);

describe('source registry', () => {
  it('registers every file format, under its own name', () => {
    expect(Object.keys(sources).sort()).toEqual([...fileFormats].sort());
    for (const [name, source] of Object.entries(sources)) expect(source.name).toBe(name);
  });

  it('registers every source definition exported from the folder', async () => {
    const files = readdirSync(sourcesDir).filter((f) => f.endsWith('.ts'));
    const registered = new Set<unknown>(Object.values(sources));
    let found = 0;
    for (const file of files) {
      const module = (await import(new URL(file, sourcesDir).href)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        if (isSourceDefinition(value)) {
          found++;
          expect(registered.has(value), `${file} exports ${value.name}`).toBe(true);
          expect(file).toBe(`${value.name}.ts`);
        }
      }
    }
    expect(found).toBe(fileFormats.length);
  });

  it('looks a source up by format, and lists the known ones for an unknown format', () => {
    expect(sourceFor('ndjson')).toBe(sources.ndjson);
    expect(() => sourceFor('xml')).toThrow('unknown file format "xml"; known formats: csv, json, ndjson');
    expect(() => sourceFor('toString')).toThrow(/unknown file format "toString"/);
  });

  it.each([
    ['users.csv', 'csv'],
    ['/data/Users.CSV', 'csv'],
    ['a.b/users.json', 'json'],
    ['users.ndjson', 'ndjson'],
    ['users.jsonl', 'ndjson'],
    ['users.txt', undefined],
    ['users', undefined],
    ['csv', undefined],
    ['users.csv.gz', undefined],
  ])('guesses the format of %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });
});

function isSourceDefinition(value: unknown): value is { name: string } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.scan === 'function' && typeof candidate.read === 'function';
}
