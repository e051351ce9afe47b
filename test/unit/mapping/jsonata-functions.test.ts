import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { jsonataFunctions } from '../../../src/mapping/jsonata-functions.js';

/** `ferry validate` calls a function unknown when it is not in this list: it must be jsonata's own list, whatever its version. */
describe('jsonataFunctions', () => {
  it('is exactly the set of functions the installed jsonata binds', () => {
    const source = readFileSync(createRequire(import.meta.url).resolve('jsonata'), 'utf8');
    const bound = [...source.matchAll(/staticFrame\.bind\('([A-Za-z0-9]+)'/g)].map((m) => m[1]);
    expect(bound.length).toBeGreaterThan(50);
    expect([...jsonataFunctions].sort()).toEqual([...bound].sort());
  });
});
