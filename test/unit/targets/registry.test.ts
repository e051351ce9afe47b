import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileFormats } from '../../../src/spec/pipeline-schema.js';
import { targetFor, targets } from '../../../src/targets/index.js';

/** The hand-written registry (STYLE.md rule 7): every target file is in it, by its own name. */
const targetsDir = new URL('../../../src/targets/', import.meta.url);

describe('target registry', () => {
  it('registers every file format, under its own name', () => {
    expect(Object.keys(targets).sort()).toEqual([...fileFormats].sort());
    for (const [name, target] of Object.entries(targets)) expect(target.name).toBe(name);
  });

  it('registers every target definition exported from the folder', async () => {
    let found = 0;
    for (const file of readdirSync(targetsDir).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(new URL(file, targetsDir).href)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        if (typeof value !== 'object' || value === null || !('encode' in value) || !('name' in value)) continue;
        found++;
        expect(Object.values(targets)).toContain(value);
        expect(file).toBe(`${String(value.name)}.ts`);
      }
    }
    expect(found).toBe(fileFormats.length);
  });

  it('looks a target up by format, and lists the known ones for an unknown format', () => {
    expect(targetFor('csv')).toBe(targets.csv);
    expect(() => targetFor('xml')).toThrow('unknown file format "xml"; known formats: csv, json, ndjson');
    expect(() => targetFor('toString')).toThrow(/unknown file format "toString"/);
  });
});
